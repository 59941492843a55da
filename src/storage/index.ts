export * from "./location-sql.ts"
export * from "./postgres.ts"
export * from "./sqlite.ts"
export * from "./location-cached.ts"
