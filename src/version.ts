/** Kept equal to package.json's version (a test checks it); a constant avoids a file read at start-up. */
export const VERSION = "0.1.0";
