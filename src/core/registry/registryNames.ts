// GTO's rules for the names in registry tags, shared by the registry and the editor's input boxes
// (a module without Git, so the extension's light half can import it).

/** Artifact names: lowercase letters, digits, '-' and '/', no edge '-' or '/'. */
export const MODEL_NAME = /^[a-z0-9](?:[a-z0-9/-]*[a-z0-9])?$/;
/** Stage names: lowercase letters, digits and '-', no edge '-'. */
export const STAGE_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
