import type {
  KeyKind,
  KeyMetadata,
  KeySource,
  KeyStatus,
  ProfileRecord,
  ValidationOutcome,
} from "../domain.ts";

/** The rows a listing is drawn from, when its caller read them already (one read of each a listing). */
export interface ListedRows {
  /** `store.keys.list({ ...filter, secrets: false })`. */
  keys: KeyMetadata[];
  /** `store.profiles.list()`. */
  profiles?: ProfileRecord[];
}

/** What fronts may show about a key. Deliberately has no field that could carry the secret. */
export interface KeyView {
  id: string;
  name: string;
  profile: string;
  kind: KeyKind;
  source: KeySource;
  status: KeyStatus;
  active: boolean;
  masked: string;
  organization: string | null;
  /** An imported user_oauth login's workspace (`wrkspc_…` or `default`); null otherwise. */
  workspace: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  lastValidatedAt: string | null;
  validation: ValidationOutcome | null;
  validationMessage: string | null;
  /** True for the environment's ANTHROPIC_API_KEY, which apikey lists but never stores. */
  readOnly: boolean;
}

export function toView(key: KeyMetadata, activeKeyId: string | null): KeyView {
  return {
    id: key.id,
    name: key.name,
    profile: key.profile,
    kind: key.kind,
    source: key.source,
    status: key.status,
    active: key.id === activeKeyId,
    // A federated row's hint names its rule; every front says the same about it.
    masked:
      key.kind === "federated"
        ? `federated — nothing to rotate (${key.hint.replace(/^federated /, "")})`
        : key.hint,
    organization: key.organization,
    workspace: key.workspace,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    lastValidatedAt: key.lastValidatedAt?.toISOString() ?? null,
    validation: key.validation,
    validationMessage: key.validationMessage,
    readOnly: false,
  };
}
