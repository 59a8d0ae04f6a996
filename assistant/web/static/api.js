// Calls to the service's /v1 API: the stored API key on every call, one key dialog on 401, errors as ApiError.

const KEY_STORAGE = "assistant.apiKey";

/** A failed call: the HTTP status (0 for a network failure) and the service's own code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

function storedKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) || "";
  } catch {
    return "";
  }
}

function storeKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // private mode: the key lasts for this page only
  }
}

/** The ApiError an error response describes (every service error is {"error": {"code", "message"}}). */
export async function errorFrom(response) {
  let code = "http_error";
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON (a proxy's error page): keep the status line
  }
  return new ApiError(response.status, code, message);
}

/**
 * A client for the API. `askKey(rejected)` shows the key dialog and resolves to the key typed, or null when the
 * user cancels; while one dialog is open, every call that met a 401 waits for the same answer.
 */
export function createClient({ askKey, keyMissingMessage }) {
  let key = storedKey();
  let pendingKey = null;

  function requestKey(rejected) {
    if (!pendingKey) {
      pendingKey = Promise.resolve(askKey(rejected)).finally(() => {
        pendingKey = null;
      });
    }
    return pendingKey;
  }

  /** fetch() with the key; on 401 ask for a key and try again. Non-2xx answers throw ApiError. */
  async function send(path, { method = "GET", body, signal } = {}) {
    for (;;) {
      const headers = { Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (key) headers.Authorization = `Bearer ${key}`;
      const usedKey = key;
      let response;
      try {
        response = await fetch(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
      } catch (error) {
        if (error && error.name === "AbortError") throw error;
        throw new ApiError(0, "network_error", String((error && error.message) || error));
      }
      if (response.ok) return response;
      if (response.status !== 401) throw await errorFrom(response);
      if (key !== usedKey && key) continue; // another call already got a new key
      const typed = await requestKey(Boolean(usedKey));
      if (!typed) throw new ApiError(401, "unauthorized", keyMissingMessage());
      key = typed.trim();
      storeKey(key);
    }
  }

  async function json(path, options) {
    const response = await send(path, options);
    return response.json();
  }

  return { send, json };
}
