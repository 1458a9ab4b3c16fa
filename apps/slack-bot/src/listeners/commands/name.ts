// The slash command's name, in its own module: the payload schema checks it without importing the listener
// (which imports the commands, which import the schema's types: a cycle).
export const COMMAND = "/apikey";
