// The protocol shared by the extension host and the webviews. Import from here.
export * from "./endpoint";
export * from "./errors";
export * from "./guards";
export * from "./host";
export * from "./messages";
