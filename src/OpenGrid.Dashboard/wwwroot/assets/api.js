// The public /v1 API as the dashboard uses it (docs/api.md): JSON calls with the bearer token, problem details as
// ApiError, Server-Sent Events read over fetch (EventSource cannot send an Authorization header), and uploads over
// XMLHttpRequest (fetch has no upload progress).

const sessionKey = 'opengrid.session';

/** The signed-in account, kept in sessionStorage: it lasts as long as the tab, and never outlives the token. */
export const session = {
  get() {
    try {
      const value = JSON.parse(sessionStorage.getItem(sessionKey) ?? 'null');
      if (!value?.token || Date.parse(value.expiresAt) <= Date.now()) return null;
      return value;
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(sessionKey, JSON.stringify({ token: value.token, address: value.address, expiresAt: value.expiresAt }));
    window.dispatchEvent(new Event('opengrid:session'));
  },
  clear() {
    sessionStorage.removeItem(sessionKey);
    window.dispatchEvent(new Event('opengrid:session'));
  },
};

/** An API rejection: HTTP status, the stable code (spec.invalid, …), the message and, for specs, errors[]. */
export class ApiError extends Error {
  constructor(status, code, message, problem = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
  }
}

function authHeaders() {
  const current = session.get();
  return current ? { Authorization: `Bearer ${current.token}` } : {};
}

async function problemOf(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall back to the status text.
  }
  return toError(response.status, problem);
}

function toError(status, problem) {
  const code = problem.code ?? `http.${status}`;
  const message = problem.detail ?? problem.title ?? `the coordinator answered ${status}`;
  if (status === 401 && code.startsWith('auth.') && session.get()) {
    session.clear();
    window.dispatchEvent(new CustomEvent('opengrid:expired'));
  }
  return new ApiError(status, code, message, problem);
}

/** Calls the API and returns the JSON body; throws ApiError for a problem answer. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    cache: 'no-store',
  });
  if (!response.ok) throw await problemOf(response);
  return response.status === 204 ? null : response.json();
}

/**
 * GETs a resource as text with the bearer token (a job's spec; a proof pack's JSON exactly as served, to save it);
 * throws ApiError for a problem answer.
 */
export async function fetchText(path, { signal, accept = 'text/*' } = {}) {
  const response = await fetch(path, { headers: { Accept: accept, ...authHeaders() }, signal, cache: 'no-store' });
  if (!response.ok) throw await problemOf(response);
  return response.text();
}

/** GET /v1/content/{cid} with the bearer token, as a Blob. */
export async function fetchContent(cid, { signal } = {}) {
  const response = await fetch(`/v1/content/${encodeURIComponent(cid)}`, { headers: authHeaders(), signal });
  if (!response.ok) throw await problemOf(response);
  return response.blob();
}

/**
 * Reads a Server-Sent Events stream until the server ends it, calling onEvent(name, data, id) for each event (id is
 * the event's `id:` line, or null). lastEventId is sent as Last-Event-ID, so a stream that supports it resumes
 * after that event; onOpen() is called once the server has accepted the stream.
 * Resolves when the stream ends; rejects with ApiError when the server refuses, or AbortError when aborted.
 */
export async function readEvents(path, onEvent, { signal, lastEventId, onOpen } = {}) {
  const headers = { Accept: 'text/event-stream', ...authHeaders() };
  if (lastEventId != null) headers['Last-Event-ID'] = String(lastEventId);
  const response = await fetch(path, { headers, signal, cache: 'no-store' });
  if (!response.ok) throw await problemOf(response);
  onOpen?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let name = '';
  let id = null;
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length) onEvent(name || 'message', data.join('\n'), id);
        name = '';
        id = null;
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id') id = text;
      }
    }
  }
}

/**
 * POST /v1/content with the file as the body, reporting progress as onProgress(loaded, total).
 * Resolves to ContentPutResponse {cid, size}.
 */
export function uploadContent(file, onProgress, { signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/content');
    for (const [key, value] of Object.entries(authHeaders())) xhr.setRequestHeader(key, value);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        // Leave body empty; the status tells what happened.
      }
      if (xhr.status === 201) {
        onProgress(file.size, file.size);
        resolve(body);
      } else {
        reject(toError(xhr.status, body));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', `uploading ${file.name} failed: the connection broke`)));
    xhr.addEventListener('abort', () => reject(new DOMException('upload cancelled', 'AbortError')));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
