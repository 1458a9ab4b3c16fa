import { checkNameShape } from "@apikey/core";

// Names given on the command line are checked before anything looks them up, so an invalid one (perhaps a mistyped
// secret, perhaps terminal escapes) gets E_NAME_INVALID without being echoed, instead of "no key named …".

export const checkProfileArgument = (profile: string): string => checkNameShape(profile, "profile");

export const checkKeyNameArgument = (name: string): string => checkNameShape(name, "key");
