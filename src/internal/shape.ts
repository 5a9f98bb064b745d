/**
 * The `UserInfo` and `User` schemas as plain type guards, for the hot path.
 *
 * `Schema.is` walks the schema's AST on every call, building results it
 * throws away. Here the AST is walked once, when the module loads, into
 * nested closures that do the same checks directly, many times faster. The
 * schemas in `UserInfo.ts` stay the only definition; a property test
 * (`test/Shape.test.ts`) holds the guards to `Schema.is` on generated values.
 *
 * Only what those schemas use is compiled: structs (a non-null object that is
 * not an array; optional fields; unknown fields allowed), unions, arrays, the
 * `string`, `number`, `boolean`, `unknown` and `undefined` keywords and
 * literals. Anything else throws at load, so a schema change that needs more
 * cannot pass unchecked.
 *
 * @internal
 */
import * as AST from "effect/SchemaAST"
import { User, UserInfo } from "../UserInfo.js"

type Check = (value: unknown) => boolean

const compile = (ast: AST.AST): Check => {
  switch (ast._tag) {
    case "StringKeyword":
      return (value) => typeof value === "string"
    case "NumberKeyword":
      return (value) => typeof value === "number"
    case "BooleanKeyword":
      return (value) => typeof value === "boolean"
    case "UnknownKeyword":
      return () => true
    case "UndefinedKeyword":
      return (value) => value === undefined
    case "Literal": {
      const literal = ast.literal
      return (value) => value === literal
    }
    case "Union": {
      // `optional(NullOr(X))` nests unions; one flat list checks faster.
      const flat = (node: AST.AST): ReadonlyArray<AST.AST> => AST.isUnion(node) ? node.types.flatMap(flat) : [node]
      const members = flat(ast).map(compile)
      return (value) => members.some((member) => member(value))
    }
    case "TupleType": {
      if (ast.elements.length === 0 && ast.rest.length === 1) {
        const element = compile(ast.rest[0]!.type)
        return (value) => Array.isArray(value) && value.every(element)
      }
      break
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) break
      const fields = ast.propertySignatures.map((field) => {
        const check = compile(field.type)
        return [field.name, field.isOptional ? (value: unknown) => value === undefined || check(value) : check] as const
      })
      return (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return false
        const record = value as Record<PropertyKey, unknown>
        for (const [name, check] of fields) {
          if (!check(record[name])) return false
        }
        return true
      }
    }
  }
  throw new Error(`shape: no guard for the schema node ${ast._tag}`)
}

/**
 * `Schema.is(UserInfo)`.
 *
 * @internal
 */
export const isUserInfo = compile(UserInfo.ast) as (value: unknown) => value is UserInfo

/**
 * `Schema.is(User)`.
 *
 * @internal
 */
export const isUser = compile(User.ast) as (value: unknown) => value is User
