// The error every call of the API client throws for an answer that is not a 2xx: its status, the
// server's `detail`, a 400's field messages, and (for a paired device) its PIN refusal.
import type { PinRefusal, PinRefusalCode } from "./models";

/** Field messages of a 400: `{field: [message, ...]}`; nested fields are dotted (`items.0.name`);
 * messages about the whole body are under `non_field_errors`. */
export type FieldErrors = Record<string, string[]>;

/** Any answer that is not a 2xx. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    /** `detail` of the answer (401, 403, 404, 409 and most others), if any. */
    readonly detail: string | undefined,
    /** The field messages of a 400; empty otherwise. */
    readonly fieldErrors: FieldErrors,
    /** The parsed JSON answer, or its text when it was not JSON. */
    readonly body: unknown,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${url} → ${status}: ${ApiError.summary(detail, fieldErrors)}`);
  }

  get isValidationError(): boolean {
    return this.status === 400;
  }

  /** The messages of one field of a 400 (empty when it has none). */
  messagesFor(field: string): string[] {
    return this.fieldErrors[field] ?? [];
  }

  private static summary(detail: string | undefined, fieldErrors: FieldErrors): string {
    if (detail) return detail;
    const fields = Object.entries(fieldErrors).map(([f, m]) => `${f}: ${m.join(" ")}`);
    return fields.length ? fields.join("; ") : "request failed";
  }

  /** Builds the error from a failed response. */
  static async from(response: Response, method: string, url: string): Promise<ApiError> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's error page, say): keep the text.
    }
    let detail: string | undefined;
    let fieldErrors: FieldErrors = {};
    if (isRecord(body) && typeof body.detail === "string") {
      detail = body.detail;
    }
    if (response.status === 400) {
      fieldErrors = flattenFieldErrors(body);
    }
    return new ApiError(response.status, detail, fieldErrors, body, method, url);
  }
}

const PIN_REFUSAL_CODES: readonly string[] = [
  "pin_required",
  "wrong_pin",
  "pin_locked",
] satisfies PinRefusalCode[];

/** The PIN refusal an error carries, if it is one: a device's 403 (`pin_required`, `wrong_pin`)
 * or 429 (`pin_locked`, with `locked_until`). */
export function pinRefusalOf(error: unknown): PinRefusal | undefined {
  if (!(error instanceof ApiError) || ![403, 429].includes(error.status)) return undefined;
  const body = error.body;
  if (!isRecord(body) || typeof body.code !== "string" || !PIN_REFUSAL_CODES.includes(body.code)) {
    return undefined;
  }
  return body as PinRefusal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flattenFieldErrors(body: unknown): FieldErrors {
  const out: FieldErrors = {};
  const add = (key: string, message: string) => (out[key] ??= []).push(message);
  const walk = (value: unknown, key: string): void => {
    if (typeof value === "string") add(key, value);
    else if (Array.isArray(value)) {
      value.forEach((item, index) =>
        typeof item === "string" ? add(key, item) : walk(item, `${key}.${index}`),
      );
    } else if (isRecord(value)) {
      for (const [name, inner] of Object.entries(value)) walk(inner, key ? `${key}.${name}` : name);
    }
  };
  if (Array.isArray(body) || typeof body === "string") walk(body, "non_field_errors");
  else if (isRecord(body)) {
    for (const [name, value] of Object.entries(body)) if (name !== "detail") walk(value, name);
  }
  return out;
}
