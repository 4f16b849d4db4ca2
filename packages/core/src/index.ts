export * from "./settings/schema";
