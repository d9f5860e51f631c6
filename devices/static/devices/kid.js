// Built from frontend/src/kid.ts by `cd frontend && npm run build`: edit the source, not this file.
"use strict";
(() => {
  // node_modules/eventsource-parser/dist/index.js
  var ParseError = class extends Error {
    constructor(message, options) {
      super(message), this.name = "ParseError", this.type = options.type, this.field = options.field, this.value = options.value, this.line = options.line;
    }
  };
  var LF = 10;
  var CR = 13;
  var SPACE = 32;
  function noop(_arg) {
  }
  function createParser(config) {
    if (typeof config == "function")
      throw new TypeError(
        "`config` must be an object, got a function instead. Did you mean `createParser({onEvent: fn})`?"
      );
    const { onEvent = noop, onError = noop, onRetry = noop, onComment, maxBufferSize } = config, pendingFragments = [];
    let pendingFragmentsLength = 0, isFirstChunk = true, id, data = "", dataLines = 0, eventType, terminated = false;
    function feed(chunk) {
      if (terminated)
        throw new Error(
          "Cannot feed parser: it was terminated after exceeding the configured max buffer size. Call `reset()` to resume parsing."
        );
      if (isFirstChunk && (isFirstChunk = false, chunk.charCodeAt(0) === 239 && chunk.charCodeAt(1) === 187 && chunk.charCodeAt(2) === 191 && (chunk = chunk.slice(3))), pendingFragments.length === 0) {
        const trailing2 = processLines(chunk);
        trailing2 !== "" && (pendingFragments.push(trailing2), pendingFragmentsLength = trailing2.length), checkBufferSize();
        return;
      }
      if (chunk.indexOf(`
`) === -1 && chunk.indexOf("\r") === -1) {
        pendingFragments.push(chunk), pendingFragmentsLength += chunk.length, checkBufferSize();
        return;
      }
      pendingFragments.push(chunk);
      const input = pendingFragments.join("");
      pendingFragments.length = 0, pendingFragmentsLength = 0;
      const trailing = processLines(input);
      trailing !== "" && (pendingFragments.push(trailing), pendingFragmentsLength = trailing.length), checkBufferSize();
    }
    function checkBufferSize() {
      maxBufferSize !== void 0 && (pendingFragmentsLength + data.length <= maxBufferSize || (terminated = true, pendingFragments.length = 0, pendingFragmentsLength = 0, id = void 0, data = "", dataLines = 0, eventType = void 0, onError(
        new ParseError(`Buffered data exceeded max buffer size of ${maxBufferSize} characters`, {
          type: "max-buffer-size-exceeded"
        })
      )));
    }
    function processLines(chunk) {
      let searchIndex = 0;
      if (chunk.indexOf("\r") === -1) {
        let lfIndex = chunk.indexOf(`
`, searchIndex);
        for (; lfIndex !== -1; ) {
          if (searchIndex === lfIndex) {
            dataLines > 0 && onEvent({ id, event: eventType, data }), id = void 0, data = "", dataLines = 0, eventType = void 0, searchIndex = lfIndex + 1, lfIndex = chunk.indexOf(`
`, searchIndex);
            continue;
          }
          const firstCharCode = chunk.charCodeAt(searchIndex);
          if (isDataPrefix(chunk, searchIndex, firstCharCode)) {
            const valueStart = chunk.charCodeAt(searchIndex + 5) === SPACE ? searchIndex + 6 : searchIndex + 5, value = chunk.slice(valueStart, lfIndex);
            if (dataLines === 0 && chunk.charCodeAt(lfIndex + 1) === LF) {
              onEvent({ id, event: eventType, data: value }), id = void 0, data = "", eventType = void 0, searchIndex = lfIndex + 2, lfIndex = chunk.indexOf(`
`, searchIndex);
              continue;
            }
            data = dataLines === 0 ? value : `${data}
${value}`, dataLines++;
          } else isEventPrefix(chunk, searchIndex, firstCharCode) ? eventType = chunk.slice(
            chunk.charCodeAt(searchIndex + 6) === SPACE ? searchIndex + 7 : searchIndex + 6,
            lfIndex
          ) || void 0 : parseLine(chunk, searchIndex, lfIndex);
          searchIndex = lfIndex + 1, lfIndex = chunk.indexOf(`
`, searchIndex);
        }
        return chunk.slice(searchIndex);
      }
      for (; searchIndex < chunk.length; ) {
        const crIndex = chunk.indexOf("\r", searchIndex), lfIndex = chunk.indexOf(`
`, searchIndex);
        let lineEnd = -1;
        if (crIndex !== -1 && lfIndex !== -1 ? lineEnd = crIndex < lfIndex ? crIndex : lfIndex : crIndex !== -1 ? crIndex === chunk.length - 1 ? lineEnd = -1 : lineEnd = crIndex : lfIndex !== -1 && (lineEnd = lfIndex), lineEnd === -1)
          break;
        parseLine(chunk, searchIndex, lineEnd), searchIndex = lineEnd + 1, chunk.charCodeAt(searchIndex - 1) === CR && chunk.charCodeAt(searchIndex) === LF && searchIndex++;
      }
      return chunk.slice(searchIndex);
    }
    function parseLine(chunk, start, end) {
      if (start === end) {
        dispatchEvent();
        return;
      }
      const firstCharCode = chunk.charCodeAt(start);
      if (isDataPrefix(chunk, start, firstCharCode)) {
        const valueStart = chunk.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, value2 = chunk.slice(valueStart, end);
        data = dataLines === 0 ? value2 : `${data}
${value2}`, dataLines++;
        return;
      }
      if (isEventPrefix(chunk, start, firstCharCode)) {
        eventType = chunk.slice(chunk.charCodeAt(start + 6) === SPACE ? start + 7 : start + 6, end) || void 0;
        return;
      }
      if (firstCharCode === 105 && chunk.charCodeAt(start + 1) === 100 && chunk.charCodeAt(start + 2) === 58) {
        const value2 = chunk.slice(chunk.charCodeAt(start + 3) === SPACE ? start + 4 : start + 3, end);
        value2.includes("\0") || (id = value2);
        return;
      }
      if (firstCharCode === 58) {
        if (onComment) {
          const line2 = chunk.slice(start, end);
          onComment(line2.slice(chunk.charCodeAt(start + 1) === SPACE ? 2 : 1));
        }
        return;
      }
      const line = chunk.slice(start, end), fieldSeparatorIndex = line.indexOf(":");
      if (fieldSeparatorIndex === -1) {
        processField(line, "", line);
        return;
      }
      const field = line.slice(0, fieldSeparatorIndex), offset = line.charCodeAt(fieldSeparatorIndex + 1) === SPACE ? 2 : 1, value = line.slice(fieldSeparatorIndex + offset);
      processField(field, value, line);
    }
    function processField(field, value, line) {
      switch (field) {
        case "event":
          eventType = value || void 0;
          break;
        case "data":
          data = dataLines === 0 ? value : `${data}
${value}`, dataLines++;
          break;
        case "id":
          value.includes("\0") || (id = value);
          break;
        case "retry":
          /^\d+$/.test(value) ? onRetry(parseInt(value, 10)) : onError(
            new ParseError(`Invalid \`retry\` value: "${value}"`, {
              type: "invalid-retry",
              value,
              line
            })
          );
          break;
        default:
          onError(
            new ParseError(
              `Unknown field "${field.length > 20 ? `${field.slice(0, 20)}…` : field}"`,
              { type: "unknown-field", field, value, line }
            )
          );
          break;
      }
    }
    function dispatchEvent() {
      dataLines > 0 && onEvent({
        id,
        event: eventType,
        data
      }), id = void 0, data = "", dataLines = 0, eventType = void 0;
    }
    function reset(options = {}) {
      if (options.consume && pendingFragments.length > 0) {
        const incompleteLine = pendingFragments.join("");
        parseLine(incompleteLine, 0, incompleteLine.length);
      }
      isFirstChunk = true, id = void 0, data = "", dataLines = 0, eventType = void 0, pendingFragments.length = 0, pendingFragmentsLength = 0, terminated = false;
    }
    return { feed, reset };
  }
  function isDataPrefix(chunk, i, firstCharCode) {
    return firstCharCode === 100 && chunk.charCodeAt(i + 1) === 97 && chunk.charCodeAt(i + 2) === 116 && chunk.charCodeAt(i + 3) === 97 && chunk.charCodeAt(i + 4) === 58;
  }
  function isEventPrefix(chunk, i, firstCharCode) {
    return firstCharCode === 101 && chunk.charCodeAt(i + 1) === 118 && chunk.charCodeAt(i + 2) === 101 && chunk.charCodeAt(i + 3) === 110 && chunk.charCodeAt(i + 4) === 116 && chunk.charCodeAt(i + 5) === 58;
  }

  // node_modules/eventsource/dist/index.js
  var ErrorEvent = class extends Event {
    /**
     * Constructs a new `ErrorEvent` instance. This is typically not called directly,
     * but rather emitted by the `EventSource` object when an error occurs.
     *
     * @param type - The type of the event (should be "error")
     * @param errorEventInitDict - Optional properties to include in the error event
     */
    constructor(type, errorEventInitDict) {
      var _a, _b;
      super(type), this.code = (_a = errorEventInitDict == null ? void 0 : errorEventInitDict.code) != null ? _a : void 0, this.message = (_b = errorEventInitDict == null ? void 0 : errorEventInitDict.message) != null ? _b : void 0;
    }
    /**
     * Node.js "hides" the `message` and `code` properties of the `ErrorEvent` instance,
     * when it is `console.log`'ed. This makes it harder to debug errors. To ease debugging,
     * we explicitly include the properties in the `inspect` method.
     *
     * This is automatically called by Node.js when you `console.log` an instance of this class.
     *
     * @param _depth - The current depth
     * @param options - The options passed to `util.inspect`
     * @param inspect - The inspect function to use (prevents having to import it from `util`)
     * @returns A string representation of the error
     */
    [/* @__PURE__ */ Symbol.for("nodejs.util.inspect.custom")](_depth, options, inspect) {
      return inspect(inspectableError(this), options);
    }
    /**
     * Deno "hides" the `message` and `code` properties of the `ErrorEvent` instance,
     * when it is `console.log`'ed. This makes it harder to debug errors. To ease debugging,
     * we explicitly include the properties in the `inspect` method.
     *
     * This is automatically called by Deno when you `console.log` an instance of this class.
     *
     * @param inspect - The inspect function to use (prevents having to import it from `util`)
     * @param options - The options passed to `Deno.inspect`
     * @returns A string representation of the error
     */
    [/* @__PURE__ */ Symbol.for("Deno.customInspect")](inspect, options) {
      return inspect(inspectableError(this), options);
    }
  };
  function syntaxError(message) {
    const DomException = globalThis.DOMException;
    return typeof DomException == "function" ? new DomException(message, "SyntaxError") : new SyntaxError(message);
  }
  function flattenError(err) {
    return err instanceof Error ? "errors" in err && Array.isArray(err.errors) ? err.errors.map(flattenError).join(", ") : "cause" in err && err.cause instanceof Error ? `${err}: ${flattenError(err.cause)}` : err.message : `${err}`;
  }
  function inspectableError(err) {
    return {
      type: err.type,
      message: err.message,
      code: err.code,
      defaultPrevented: err.defaultPrevented,
      cancelable: err.cancelable,
      timeStamp: err.timeStamp
    };
  }
  var __typeError = (msg) => {
    throw TypeError(msg);
  };
  var __accessCheck = (obj, member, msg) => member.has(obj) || __typeError("Cannot " + msg);
  var __privateGet = (obj, member, getter) => (__accessCheck(obj, member, "read from private field"), getter ? getter.call(obj) : member.get(obj));
  var __privateAdd = (obj, member, value) => member.has(obj) ? __typeError("Cannot add the same private member more than once") : member instanceof WeakSet ? member.add(obj) : member.set(obj, value);
  var __privateSet = (obj, member, value, setter) => (__accessCheck(obj, member, "write to private field"), member.set(obj, value), value);
  var __privateMethod = (obj, member, method) => (__accessCheck(obj, member, "access private method"), method);
  var _readyState;
  var _url;
  var _redirectUrl;
  var _withCredentials;
  var _fetch;
  var _reconnectInterval;
  var _reconnectTimer;
  var _lastEventId;
  var _controller;
  var _parser;
  var _onError;
  var _onMessage;
  var _onOpen;
  var _EventSource_instances;
  var connect_fn;
  var _onFetchResponse;
  var _onFetchError;
  var getRequestOptions_fn;
  var _onEvent;
  var _onRetryChange;
  var failConnection_fn;
  var scheduleReconnect_fn;
  var _reconnect;
  var EventSource = class extends EventTarget {
    constructor(url, eventSourceInitDict) {
      var _a, _b;
      super(), __privateAdd(this, _EventSource_instances), this.CONNECTING = 0, this.OPEN = 1, this.CLOSED = 2, __privateAdd(this, _readyState), __privateAdd(this, _url), __privateAdd(this, _redirectUrl), __privateAdd(this, _withCredentials), __privateAdd(this, _fetch), __privateAdd(this, _reconnectInterval), __privateAdd(this, _reconnectTimer), __privateAdd(this, _lastEventId, null), __privateAdd(this, _controller), __privateAdd(this, _parser), __privateAdd(this, _onError, null), __privateAdd(this, _onMessage, null), __privateAdd(this, _onOpen, null), __privateAdd(this, _onFetchResponse, async (response) => {
        var _a2;
        __privateGet(this, _parser).reset();
        const { body, redirected, status: status2, headers } = response;
        if (status2 === 204) {
          __privateMethod(this, _EventSource_instances, failConnection_fn).call(this, "Server sent HTTP 204, not reconnecting", 204), this.close();
          return;
        }
        if (redirected ? __privateSet(this, _redirectUrl, new URL(response.url)) : __privateSet(this, _redirectUrl, void 0), status2 !== 200) {
          __privateMethod(this, _EventSource_instances, failConnection_fn).call(this, `Non-200 status code (${status2})`, status2);
          return;
        }
        if (!(headers.get("content-type") || "").startsWith("text/event-stream")) {
          __privateMethod(this, _EventSource_instances, failConnection_fn).call(this, 'Invalid content type, expected "text/event-stream"', status2);
          return;
        }
        if (__privateGet(this, _readyState) === this.CLOSED)
          return;
        __privateSet(this, _readyState, this.OPEN);
        const openEvent = new Event("open");
        if ((_a2 = __privateGet(this, _onOpen)) == null || _a2.call(this, openEvent), this.dispatchEvent(openEvent), typeof body != "object" || !body || !("getReader" in body)) {
          __privateMethod(this, _EventSource_instances, failConnection_fn).call(this, "Invalid response body, expected a web ReadableStream", status2), this.close();
          return;
        }
        const decoder = new TextDecoder(), reader = body.getReader();
        let open2 = true;
        do {
          const { done, value } = await reader.read();
          value && __privateGet(this, _parser).feed(decoder.decode(value, { stream: !done })), done && (open2 = false, __privateGet(this, _parser).reset(), __privateMethod(this, _EventSource_instances, scheduleReconnect_fn).call(this));
        } while (open2);
      }), __privateAdd(this, _onFetchError, (err) => {
        __privateSet(this, _controller, void 0), !(err.name === "AbortError" || err.type === "aborted") && __privateMethod(this, _EventSource_instances, scheduleReconnect_fn).call(this, flattenError(err));
      }), __privateAdd(this, _onEvent, (event) => {
        typeof event.id == "string" && __privateSet(this, _lastEventId, event.id);
        const messageEvent = new MessageEvent(event.event || "message", {
          data: event.data,
          origin: __privateGet(this, _redirectUrl) ? __privateGet(this, _redirectUrl).origin : __privateGet(this, _url).origin,
          lastEventId: event.id || ""
        });
        __privateGet(this, _onMessage) && (!event.event || event.event === "message") && __privateGet(this, _onMessage).call(this, messageEvent), this.dispatchEvent(messageEvent);
      }), __privateAdd(this, _onRetryChange, (value) => {
        __privateSet(this, _reconnectInterval, value);
      }), __privateAdd(this, _reconnect, () => {
        __privateSet(this, _reconnectTimer, void 0), __privateGet(this, _readyState) === this.CONNECTING && __privateMethod(this, _EventSource_instances, connect_fn).call(this);
      });
      try {
        if (url instanceof URL)
          __privateSet(this, _url, url);
        else if (typeof url == "string")
          __privateSet(this, _url, new URL(url, getBaseURL()));
        else
          throw new Error("Invalid URL");
      } catch {
        throw syntaxError("An invalid or illegal string was specified");
      }
      __privateSet(this, _parser, createParser({
        onEvent: __privateGet(this, _onEvent),
        onRetry: __privateGet(this, _onRetryChange)
      })), __privateSet(this, _readyState, this.CONNECTING), __privateSet(this, _reconnectInterval, 3e3), __privateSet(this, _fetch, (_a = eventSourceInitDict == null ? void 0 : eventSourceInitDict.fetch) != null ? _a : globalThis.fetch), __privateSet(this, _withCredentials, (_b = eventSourceInitDict == null ? void 0 : eventSourceInitDict.withCredentials) != null ? _b : false), __privateMethod(this, _EventSource_instances, connect_fn).call(this);
    }
    /**
     * Returns the state of this EventSource object's connection. It can have the values described below.
     *
     * [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/readyState)
     *
     * Note: typed as `number` instead of `0 | 1 | 2` for compatibility with the `EventSource` interface,
     * defined in the TypeScript `dom` library.
     *
     * @public
     */
    get readyState() {
      return __privateGet(this, _readyState);
    }
    /**
     * Returns the URL providing the event stream.
     *
     * [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/url)
     *
     * @public
     */
    get url() {
      return __privateGet(this, _url).href;
    }
    /**
     * Returns true if the credentials mode for connection requests to the URL providing the event stream is set to "include", and false otherwise.
     *
     * [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/withCredentials)
     */
    get withCredentials() {
      return __privateGet(this, _withCredentials);
    }
    /** [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/error_event) */
    get onerror() {
      return __privateGet(this, _onError);
    }
    set onerror(value) {
      __privateSet(this, _onError, value);
    }
    /** [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/message_event) */
    get onmessage() {
      return __privateGet(this, _onMessage);
    }
    set onmessage(value) {
      __privateSet(this, _onMessage, value);
    }
    /** [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/open_event) */
    get onopen() {
      return __privateGet(this, _onOpen);
    }
    set onopen(value) {
      __privateSet(this, _onOpen, value);
    }
    addEventListener(type, listener, options) {
      const listen = listener;
      super.addEventListener(type, listen, options);
    }
    removeEventListener(type, listener, options) {
      const listen = listener;
      super.removeEventListener(type, listen, options);
    }
    /**
     * Aborts any instances of the fetch algorithm started for this EventSource object, and sets the readyState attribute to CLOSED.
     *
     * [MDN Reference](https://developer.mozilla.org/docs/Web/API/EventSource/close)
     *
     * @public
     */
    close() {
      __privateGet(this, _reconnectTimer) && clearTimeout(__privateGet(this, _reconnectTimer)), __privateGet(this, _readyState) !== this.CLOSED && (__privateGet(this, _controller) && __privateGet(this, _controller).abort(), __privateSet(this, _readyState, this.CLOSED), __privateSet(this, _controller, void 0));
    }
  };
  _readyState = /* @__PURE__ */ new WeakMap(), _url = /* @__PURE__ */ new WeakMap(), _redirectUrl = /* @__PURE__ */ new WeakMap(), _withCredentials = /* @__PURE__ */ new WeakMap(), _fetch = /* @__PURE__ */ new WeakMap(), _reconnectInterval = /* @__PURE__ */ new WeakMap(), _reconnectTimer = /* @__PURE__ */ new WeakMap(), _lastEventId = /* @__PURE__ */ new WeakMap(), _controller = /* @__PURE__ */ new WeakMap(), _parser = /* @__PURE__ */ new WeakMap(), _onError = /* @__PURE__ */ new WeakMap(), _onMessage = /* @__PURE__ */ new WeakMap(), _onOpen = /* @__PURE__ */ new WeakMap(), _EventSource_instances = /* @__PURE__ */ new WeakSet(), /**
  * Connect to the given URL and start receiving events
  *
  * @internal
  */
  connect_fn = function() {
    __privateSet(this, _readyState, this.CONNECTING), __privateSet(this, _controller, new AbortController()), __privateGet(this, _fetch)(__privateGet(this, _url), __privateMethod(this, _EventSource_instances, getRequestOptions_fn).call(this)).then(__privateGet(this, _onFetchResponse)).catch(__privateGet(this, _onFetchError));
  }, _onFetchResponse = /* @__PURE__ */ new WeakMap(), _onFetchError = /* @__PURE__ */ new WeakMap(), /**
  * Get request options for the `fetch()` request
  *
  * @returns The request options
  * @internal
  */
  getRequestOptions_fn = function() {
    var _a;
    const init = {
      // [spec] Let `corsAttributeState` be `Anonymous`…
      // [spec] …will have their mode set to "cors"…
      mode: "cors",
      redirect: "follow",
      headers: { Accept: "text/event-stream", ...__privateGet(this, _lastEventId) ? { "Last-Event-ID": __privateGet(this, _lastEventId) } : void 0 },
      cache: "no-store",
      signal: (_a = __privateGet(this, _controller)) == null ? void 0 : _a.signal
    };
    return "window" in globalThis && (init.credentials = this.withCredentials ? "include" : "same-origin"), init;
  }, _onEvent = /* @__PURE__ */ new WeakMap(), _onRetryChange = /* @__PURE__ */ new WeakMap(), /**
  * Handles the process referred to in the EventSource specification as "failing a connection".
  *
  * @param error - The error causing the connection to fail
  * @param code - The HTTP status code, if available
  * @internal
  */
  failConnection_fn = function(message, code) {
    var _a;
    __privateGet(this, _readyState) !== this.CLOSED && __privateSet(this, _readyState, this.CLOSED);
    const errorEvent = new ErrorEvent("error", { code, message });
    (_a = __privateGet(this, _onError)) == null || _a.call(this, errorEvent), this.dispatchEvent(errorEvent);
  }, /**
  * Schedules a reconnection attempt against the EventSource endpoint.
  *
  * @param message - The error causing the connection to fail
  * @param code - The HTTP status code, if available
  * @internal
  */
  scheduleReconnect_fn = function(message, code) {
    var _a;
    if (__privateGet(this, _readyState) === this.CLOSED)
      return;
    __privateSet(this, _readyState, this.CONNECTING);
    const errorEvent = new ErrorEvent("error", { code, message });
    (_a = __privateGet(this, _onError)) == null || _a.call(this, errorEvent), this.dispatchEvent(errorEvent), __privateSet(this, _reconnectTimer, setTimeout(__privateGet(this, _reconnect), __privateGet(this, _reconnectInterval)));
  }, _reconnect = /* @__PURE__ */ new WeakMap(), /**
  * ReadyState representing an EventSource currently trying to connect
  *
  * @public
  */
  EventSource.CONNECTING = 0, /**
  * ReadyState representing an EventSource connection that is open (eg connected)
  *
  * @public
  */
  EventSource.OPEN = 1, /**
  * ReadyState representing an EventSource connection that is closed (eg disconnected)
  *
  * @public
  */
  EventSource.CLOSED = 2;
  Object.defineProperty(EventSource, /* @__PURE__ */ Symbol.for("eventsource.supports-fetch-override"), {
    value: true,
    writable: false,
    configurable: false,
    enumerable: false
  });
  function getBaseURL() {
    const doc = "document" in globalThis ? globalThis.document : void 0;
    return doc && typeof doc == "object" && "baseURI" in doc && typeof doc.baseURI == "string" ? doc.baseURI : void 0;
  }

  // src/apiError.ts
  var ApiError = class _ApiError extends Error {
    constructor(status2, detail, fieldErrors, body, method, url) {
      super(`${method} ${url} → ${status2}: ${_ApiError.summary(detail, fieldErrors)}`);
      this.status = status2;
      this.detail = detail;
      this.fieldErrors = fieldErrors;
      this.body = body;
      this.method = method;
      this.url = url;
    }
    status;
    detail;
    fieldErrors;
    body;
    method;
    url;
    name = "ApiError";
    get isValidationError() {
      return this.status === 400;
    }
    /** The messages of one field of a 400 (empty when it has none). */
    messagesFor(field) {
      return this.fieldErrors[field] ?? [];
    }
    static summary(detail, fieldErrors) {
      if (detail) return detail;
      const fields = Object.entries(fieldErrors).map(([f, m]) => `${f}: ${m.join(" ")}`);
      return fields.length ? fields.join("; ") : "request failed";
    }
    /** Builds the error from a failed response. */
    static async from(response, method, url) {
      const text = await response.text();
      let body = text;
      try {
        body = text ? JSON.parse(text) : void 0;
      } catch {
      }
      let detail;
      let fieldErrors = {};
      if (isRecord(body) && typeof body.detail === "string") {
        detail = body.detail;
      }
      if (response.status === 400) {
        fieldErrors = flattenFieldErrors(body);
      }
      return new _ApiError(response.status, detail, fieldErrors, body, method, url);
    }
  };
  var PIN_REFUSAL_CODES = [
    "pin_required",
    "wrong_pin",
    "pin_locked"
  ];
  function pinRefusalOf(error) {
    if (!(error instanceof ApiError) || ![403, 429].includes(error.status)) return void 0;
    const body = error.body;
    if (!isRecord(body) || typeof body.code !== "string" || !PIN_REFUSAL_CODES.includes(body.code)) {
      return void 0;
    }
    return body;
  }
  function isRecord(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }
  function flattenFieldErrors(body) {
    const out = {};
    const add = (key, message) => (out[key] ??= []).push(message);
    const walk = (value, key) => {
      if (typeof value === "string") add(key, value);
      else if (Array.isArray(value)) {
        value.forEach(
          (item2, index) => typeof item2 === "string" ? add(key, item2) : walk(item2, `${key}.${index}`)
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

  // src/api.ts
  function withPin(body, pin) {
    return pin === void 0 ? body : { ...body, pin };
  }
  var IDEMPOTENCY_HEADER = "Idempotency-Key";
  function queryString(params) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value === void 0 || value === null) continue;
      search.append(name, value instanceof Date ? value.toISOString() : String(value));
    }
    const text = search.toString();
    return text ? `?${text}` : "";
  }
  function fillPath(template, values = {}) {
    return template.replace(/\{(\w+)\}/g, (_, name) => {
      const value = values[name];
      if (value === void 0) throw new Error(`missing ${name} for ${template}`);
      return encodeURIComponent(String(value));
    });
  }
  function trackingQuery(filters) {
    return {
      entity_type: filters.entityType,
      action: filters.action,
      start: filters.start,
      end: filters.end,
      limit: filters.limit,
      offset: filters.offset
    };
  }
  var ChoreHubApi = class {
    baseUrl;
    authorization;
    csrfToken;
    credentials;
    fetchImpl;
    constructor(options = {}) {
      this.baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
      if (options.token && options.deviceCredential) {
        throw new Error("pass token or deviceCredential, not both: a client is one principal");
      }
      if (options.token) this.authorization = `Token ${options.token}`;
      else if (options.deviceCredential) this.authorization = `Device ${options.deviceCredential}`;
      this.csrfToken = options.csrfToken;
      this.credentials = options.credentials ?? "same-origin";
      if (!options.fetch && typeof globalThis.fetch !== "function") {
        throw new Error("no fetch here: pass options.fetch");
      }
      this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    }
    // Accounts
    /** Create a parent account; answers with its token. Needs no credentials. */
    register(input, options) {
      return this.call("post", "/api/auth/register/", { body: input, options });
    }
    /** Exchange a username and password for a token. */
    obtainToken(input, options) {
      return this.call("post", "/api/auth/token/", { body: input, options });
    }
    me(options) {
      return this.call("get", "/api/auth/me/", { options });
    }
    // Households: the caller's household, its members and invitations
    /** The caller's household, with the caller's `role` and the members (404 in none). */
    getHousehold(options) {
      return this.call("get", "/api/household/", { options });
    }
    /** Owner: rename the household, change its time zone or whether claims approve themselves. */
    updateHousehold(patch, options) {
      return this.call("patch", "/api/household/", { body: patch, options });
    }
    /** Owner: invite a guardian or a viewer. The code is in this answer only; single use, it
     * expires after `expires_in_days` (7 by default). */
    createInvitation(input, options) {
      return this.call("post", "/api/household/invitations/", { body: input, options });
    }
    /** Join a household with an invitation's code; answers with the household joined. */
    joinHousehold(code, options) {
      return this.call("post", "/api/household/join/", { body: { code }, options });
    }
    /** Owner: make another member the owner (the caller becomes a guardian). */
    transferOwnership(userId, options) {
      return this.call("post", "/api/household/transfer/", { body: { user_id: userId }, options });
    }
    /** Leave the household (an owner transfers ownership first). */
    leaveHousehold(options) {
      return this.call("post", "/api/household/leave/", { options });
    }
    /** Owner: remove a member; their access ends at once. */
    removeMember(userId, options) {
      return this.call("delete", "/api/household/members/{user_id}/", {
        path: { user_id: userId },
        options
      });
    }
    // Children
    listChildren(page = {}, options) {
      return this.call("get", "/api/children/", { query: page, options });
    }
    getChild(childId, options) {
      return this.call("get", "/api/children/{id}/", { path: { id: childId }, options });
    }
    createChild(input, options) {
      return this.call("post", "/api/children/", { body: input, options });
    }
    updateChild(childId, patch, options) {
      return this.call("patch", "/api/children/{id}/", {
        path: { id: childId },
        body: patch,
        options
      });
    }
    deleteChild(childId, options) {
      return this.call("delete", "/api/children/{id}/", { path: { id: childId }, options });
    }
    /** Replace the chores and penalties assigned to a child. */
    assignTasks(childId, taskIds, options) {
      return this.call("put", "/api/children/{id}/tasks/", {
        path: { id: childId },
        body: { task_ids: taskIds },
        options
      });
    }
    /** Replace the rewards assigned to a child. */
    assignRewards(childId, rewardIds, options) {
      return this.call("put", "/api/children/{id}/rewards/", {
        path: { id: childId },
        body: { reward_ids: rewardIds },
        options
      });
    }
    // Tasks and rewards
    listTasks(page = {}, options) {
      return this.call("get", "/api/tasks/", { query: page, options });
    }
    createTask(input, options) {
      return this.call("post", "/api/tasks/", { body: input, options });
    }
    listRewards(page = {}, options) {
      return this.call("get", "/api/rewards/", { query: page, options });
    }
    createReward(input, options) {
      return this.call("post", "/api/rewards/", { body: input, options });
    }
    // Points: tasks, penalties, rewards, corrections
    /** Activate an assigned chore (adds its points) or penalty (takes them, floored at 0). */
    activateTask(childId, taskId, options) {
      return this.call("post", "/api/children/{id}/activate/", {
        path: { id: childId },
        body: { task_id: taskId },
        options
      });
    }
    /** Ask for an assigned reward on the child's behalf, as a guardian (a child asks from its paired
     * device: `requestRewardAsDevice`). Its cost is held until the request is decided (409 when it
     * exceeds the child's `available_points`). */
    requestReward(childId, rewardId, options) {
      return this.call("post", "/api/children/{id}/reward-requests/", {
        path: { id: childId },
        body: { reward_id: rewardId },
        options
      });
    }
    /** Redeem a reward for a child directly, with no request. */
    redeemReward(childId, rewardId, options) {
      return this.call("post", "/api/children/{id}/redeem/", {
        path: { id: childId },
        body: { reward_id: rewardId },
        options
      });
    }
    listRewardRequests(filters = {}, options) {
      return this.call("get", "/api/reward-requests/", {
        query: {
          status: filters.status,
          child_id: filters.childId,
          limit: filters.limit,
          offset: filters.offset
        },
        options
      });
    }
    /** Redeem a pending request: the child's points go down by the cost (409 if too few now). */
    redeemRequest(requestId, options) {
      return this.call("post", "/api/reward-requests/{id}/redeem/", {
        path: { id: requestId },
        options
      });
    }
    /** Cancel a pending request, as a guardian (its hold on the child's points is released). */
    cancelRequest(requestId, options) {
      return this.call("post", "/api/reward-requests/{id}/cancel/", {
        path: { id: requestId },
        options
      });
    }
    /** Move a child's points by hand, with a reason (an `adjustment` event, action `adjusted`). */
    adjustPoints(childId, input, options) {
      return this.call("post", "/api/children/{id}/adjust/", {
        path: { id: childId },
        body: input,
        options
      });
    }
    /** Undo an `activated`, `redeemed` or `adjusted` event by appending its exact opposite
     * (action `reversed`, `metadata.reverses` = the event's id); once per event. */
    reverseEvent(eventId, input, options) {
      return this.call("post", "/api/tracking/{event_id}/reverse/", {
        path: { event_id: eventId },
        body: input,
        options
      });
    }
    // Claims: a child says a chore is done (from its device); a guardian decides, once
    listClaims(filters = {}, options) {
      return this.call("get", "/api/claims/", {
        query: {
          status: filters.status,
          child_id: filters.childId,
          limit: filters.limit,
          offset: filters.offset
        },
        options
      });
    }
    getClaim(claimId, options) {
      return this.call("get", "/api/claims/{id}/", { path: { id: claimId }, options });
    }
    /** Approve a pending claim: the chore is activated (points move), exactly once. A claim that
     * was already decided (a stale notification) is a 409 that changes nothing. */
    approveClaim(claimId, options) {
      return this.call("post", "/api/claims/{id}/approve/", { path: { id: claimId }, options });
    }
    /** Reject a pending claim: points do not move (409 if already decided). */
    rejectClaim(claimId, options) {
      return this.call("post", "/api/claims/{id}/reject/", { path: { id: claimId }, options });
    }
    // Devices: a guardian pairs a tablet for one or several children (owner, guardian)
    /** A code to pair a device for these children: shown only here, single use, 10 minutes. */
    createPairingCode(input, options) {
      return this.call("post", "/api/devices/pairing-codes/", { body: input, options });
    }
    /** On the device, without signing in: exchange a pairing code for the device's credential
     * (shown only here). Then act as the device with `createClient({deviceCredential})`. An
     * unknown, used or expired code is a 400 on `code`. */
    pairDevice(code, options) {
      return this.call("post", "/api/devices/pair/", { body: { code }, options });
    }
    /** The household's devices, revoked ones too. */
    listDevices(page = {}, options) {
      return this.call("get", "/api/devices/", { query: page, options });
    }
    /** One of the household's devices (a device reads itself with `getDevice()`). */
    getPairedDevice(deviceId, options) {
      return this.call("get", "/api/devices/{id}/", { path: { id: deviceId }, options });
    }
    /** End a device's access, and its open streams, at once. */
    revokeDevice(deviceId, options) {
      return this.call("post", "/api/devices/{id}/revoke/", { path: { id: deviceId }, options });
    }
    /** Set (or replace) a child's PIN on a device (4 to 8 digits); lifts a lockout. */
    setChildPin(deviceId, childId, pin, options) {
      return this.call("put", "/api/devices/{id}/children/{child_id}/pin/", {
        path: { id: deviceId, child_id: childId },
        body: { pin },
        options
      });
    }
    clearChildPin(deviceId, childId, options) {
      return this.call("delete", "/api/devices/{id}/children/{child_id}/pin/", {
        path: { id: deviceId, child_id: childId },
        options
      });
    }
    // Kid mode: a client made with `deviceCredential` acts as a paired device. A child with a PIN
    // on the device needs `pin` (else a 403 `pin_required` or `wrong_pin`, or a 429 `pin_locked`).
    /** This device, its household, and its children with their points, available points, chores,
     * rewards, pending requests and claims. */
    getDevice(options) {
      return this.call("get", "/api/device/", { options });
    }
    /** The child says a chore is done: a pending claim, for a guardian to approve. */
    claimChore(childId, taskId, options = {}) {
      return this.call("post", "/api/device/children/{child_id}/claims/", {
        path: { child_id: childId },
        body: withPin({ task_id: taskId }, options.pin),
        options
      });
    }
    /** The child asks for a reward; its cost is held from `available_points` (409 when it exceeds
     * them). A guardian's request on the child's behalf is `requestReward`. */
    requestRewardAsDevice(childId, rewardId, options = {}) {
      return this.call("post", "/api/device/children/{child_id}/reward-requests/", {
        path: { child_id: childId },
        body: withPin({ reward_id: rewardId }, options.pin),
        options
      });
    }
    /** The child withdraws a pending request this device made (any other is a 404). */
    cancelOwnRequest(requestId, options = {}) {
      return this.call("post", "/api/device/reward-requests/{request_id}/cancel/", {
        path: { request_id: requestId },
        body: withPin({}, options.pin),
        options
      });
    }
    // Tracking
    /** A child's events, oldest first (occurred_at, created_at, id). */
    listChildTracking(childId, filters = {}, options) {
      return this.call("get", "/api/children/{id}/tracking/", {
        path: { id: childId },
        query: trackingQuery(filters),
        options
      });
    }
    /** Staff only: every user's events, oldest first (403 for a parent who is not staff). */
    listAdminTracking(filters = {}, options) {
      return this.call("get", "/api/admin/tracking/", {
        query: { child_id: filters.childId, user_id: filters.userId, ...trackingQuery(filters) },
        options
      });
    }
    // --- Plumbing ---
    /** One operation of the schema, named by its method and path: its path parameters, query and
     * body are checked against the schema, and so is what it answers. */
    call(method, path, args) {
      const { path: params, query, body, options } = args;
      return this.send(method.toUpperCase(), fillPath(path, params), { query, body, options });
    }
    /** Any request: auth headers, JSON in and out, ApiError for a non-2xx answer. */
    async send(method, path, request = {}) {
      const url = `${this.baseUrl}${path}${queryString(request.query ?? {})}`;
      const headers = { Accept: "application/json" };
      if (this.authorization) headers.Authorization = this.authorization;
      if (method !== "GET") {
        if (this.csrfToken) headers["X-CSRFToken"] = this.csrfToken;
        if (request.options?.idempotencyKey) {
          headers[IDEMPOTENCY_HEADER] = request.options.idempotencyKey;
        }
      }
      let body;
      if (request.body !== void 0) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(request.body);
      }
      const response = await this.fetchImpl(url, {
        method,
        headers,
        body,
        credentials: this.credentials,
        signal: request.options?.signal
      });
      if (!response.ok) throw await ApiError.from(response, method, url);
      if (response.status === 204) return void 0;
      const text = await response.text();
      return text ? JSON.parse(text) : void 0;
    }
  };
  function createClient(options = {}) {
    return new ChoreHubApi(options);
  }

  // src/models.ts
  var STREAM_EVENT_NAMES = [
    "tracking_event_created",
    "task_activated",
    "task_claimed",
    "claim_rejected",
    "reward_requested",
    "reward_redeemed",
    "reward_cancelled",
    "points_adjusted",
    "points_reversed",
    "child_created",
    "child_changed",
    "child_deleted",
    "badge_awarded",
    "badge_revoked"
  ];

  // src/backendEvents.ts
  var DEFAULT_STREAM_URL = "/api/events/";
  var CLOSED = 2;
  function withLastEventId(url, id) {
    const hashAt = url.indexOf("#");
    const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
    const queryAt = withoutHash.indexOf("?");
    const path = queryAt >= 0 ? withoutHash.slice(0, queryAt) : withoutHash;
    const params = new URLSearchParams(queryAt >= 0 ? withoutHash.slice(queryAt + 1) : "");
    params.set("lastEventId", id);
    return `${path}?${params.toString()}`;
  }
  function subscribe(handlers, options = {}) {
    const url = options.url ?? DEFAULT_STREAM_URL;
    const Source = options.EventSource ?? globalThis.EventSource;
    if (!Source) {
      throw new Error("no EventSource here: pass options.EventSource (e.g. the eventsource package)");
    }
    const firstDelay = options.reconnectDelayMs ?? 1e3;
    const maxDelay = options.maxReconnectDelayMs ?? 3e4;
    let lastEventId = options.lastEventId;
    let source;
    let retryTimer;
    let failures = 0;
    let closed = false;
    const remember = (message) => {
      if (message.lastEventId && message.lastEventId !== "error") lastEventId = message.lastEventId;
    };
    const reconnectLater = (current) => {
      if (closed || current !== source || retryTimer !== void 0) return;
      current.close();
      const delay = Math.min(maxDelay, firstDelay * 2 ** failures);
      failures += 1;
      retryTimer = setTimeout(() => {
        retryTimer = void 0;
        open2();
      }, delay);
    };
    const open2 = () => {
      const current = new Source(
        lastEventId ? withLastEventId(url, lastEventId) : url,
        options.eventSourceInit
      );
      source = current;
      current.addEventListener("stream-open", () => {
        failures = 0;
        options.onOpen?.();
      });
      current.addEventListener("stream-reset", (message) => {
        remember(message);
        options.onReset?.();
      });
      current.addEventListener("stream-error", (message) => {
        options.onError?.({ kind: "stream-error", reconnecting: !closed, data: parse(message.data) });
        reconnectLater(current);
      });
      current.addEventListener("error", () => {
        const gaveUp = current.readyState === CLOSED;
        options.onError?.({ kind: "connection", reconnecting: gaveUp && !closed });
        if (gaveUp) reconnectLater(current);
      });
      for (const name of STREAM_EVENT_NAMES) {
        current.addEventListener(name, (message) => {
          remember(message);
          const handler = handlers[name];
          handler?.(parse(message.data), { event: name, id: message.lastEventId });
        });
      }
    };
    open2();
    return {
      get lastEventId() {
        return lastEventId;
      },
      close() {
        closed = true;
        if (retryTimer !== void 0) clearTimeout(retryTimer);
        retryTimer = void 0;
        source?.close();
      }
    };
  }
  function parse(data) {
    return typeof data === "string" && data !== "" ? JSON.parse(data) : data;
  }

  // src/kid.ts
  var CREDENTIAL_KEY = "chorehub.deviceCredential";
  var RECENT_DECISIONS = 3;
  function element(id) {
    const found = document.getElementById(id);
    if (!found) throw new Error(`the kid page has no #${id}`);
    return found;
  }
  var root = element("kid");
  var pairing = element("pairing");
  var pairingForm = element("pairing-form");
  var pairingCode = element("pairing-code");
  var pairingError = element("pairing-error");
  var tablet = element("tablet");
  var tiles = element("tiles");
  var status = element("stream-status");
  var deviceName = element("device-name");
  var forget = element("forget");
  var pinDialog = element("pin-dialog");
  var pinTitle = element("pin-title");
  var pinInput = element("pin-input");
  var pinCancel = element("pin-cancel");
  var anonymous = createClient({ credentials: "omit" });
  var device;
  var stream;
  function showPairing(message = "") {
    root.dataset.state = "pairing";
    tablet.hidden = true;
    pairing.hidden = false;
    deviceName.textContent = "";
    pairingError.textContent = message;
    pairingCode.focus();
  }
  pairingForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = pairingForm.querySelector("button");
    if (button) button.disabled = true;
    pairingError.textContent = "";
    try {
      const paired = await anonymous.pairDevice(pairingCode.value);
      localStorage.setItem(CREDENTIAL_KEY, paired.credential);
      pairingForm.reset();
      await open(paired.credential);
    } catch (failure) {
      pairingError.textContent = describe(failure, "code");
    } finally {
      if (button) button.disabled = false;
    }
  });
  function forgetTablet(message = "") {
    stream?.close();
    stream = void 0;
    device = void 0;
    localStorage.removeItem(CREDENTIAL_KEY);
    tiles.replaceChildren();
    showPairing(message);
  }
  forget.addEventListener("click", (event) => {
    event.preventDefault();
    forgetTablet();
  });
  async function open(credential) {
    device = createClient({ deviceCredential: credential, credentials: "omit" });
    pairing.hidden = true;
    tablet.hidden = false;
    root.dataset.state = "ready";
    await refresh();
    if (device) connect(credential);
  }
  var refreshing;
  var refreshAgain = false;
  function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        refreshAgain = false;
        await loadOnce();
      } while (refreshAgain);
    })().finally(() => refreshing = void 0);
    return refreshing;
  }
  async function loadOnce() {
    if (!device) return;
    try {
      render(await device.getDevice());
      if (root.dataset.stream === "open") status.textContent = "Live";
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        forgetTablet(failure.detail ?? "This tablet is no longer paired: pair it again.");
      } else {
        status.textContent = `Could not load: ${describe(failure)}`;
      }
    }
  }
  function connect(credential) {
    const onEvent = () => void refresh();
    const handlers = Object.fromEntries(
      STREAM_EVENT_NAMES.map((name) => [name, onEvent])
    );
    stream = subscribe(handlers, {
      url: "/api/events/",
      EventSource,
      eventSourceInit: {
        fetch: (input, init) => fetch(input, {
          ...init,
          credentials: "omit",
          headers: {
            ...init?.headers,
            Authorization: `Device ${credential}`
          }
        })
      },
      onOpen: () => {
        status.textContent = "Live";
        root.dataset.stream = "open";
        void refresh();
      },
      onError: (error) => {
        status.textContent = "Reconnecting…";
        root.dataset.stream = "reconnecting";
        if (error.reconnecting) void refresh();
      },
      onReset: onEvent
    });
  }
  var errors = /* @__PURE__ */ new Map();
  var unlockTimer;
  function render(home) {
    deviceName.textContent = home.name;
    tiles.replaceChildren(...home.children.map(tile));
    if (!home.children.length) tiles.textContent = "No children on this tablet.";
    const unlocks = home.children.map(lockedUntil).filter((until) => until !== void 0);
    clearTimeout(unlockTimer);
    if (unlocks.length) {
      const first = Math.min(...unlocks.map((until) => until.getTime()));
      unlockTimer = setTimeout(() => void refresh(), first - Date.now() + 500);
    }
  }
  function lockedUntil(child) {
    const until = child.locked_until ? new Date(child.locked_until) : void 0;
    return until && until.getTime() > Date.now() ? until : void 0;
  }
  function tile(child) {
    const section = document.createElement("section");
    section.className = "tile";
    section.id = `child-${child.id}`;
    section.setAttribute("aria-labelledby", `child-${child.id}-name`);
    const title = heading("h3", child.name);
    title.id = `child-${child.id}-name`;
    const locked = lockedUntil(child);
    const act = (run) => () => void perform(child, section, run);
    const pending = child.claims.filter((claim) => claim.status === "pending");
    const claimed = new Set(pending.map((claim) => claim.task_id));
    const decided = child.claims.filter((claim) => claim.status !== "pending");
    const chores = child.chores.map(
      (chore) => item(
        actionButton(
          `Claim ${chore.name} (+${chore.points})`,
          Boolean(locked) || claimed.has(chore.id),
          act((pin, key) => device.claimChore(child.id, chore.id, { pin, idempotencyKey: key }))
        )
      )
    );
    const rewards = child.rewards.map((reward) => {
      const missing = reward.cost - child.available_points;
      const ask = actionButton(
        `Ask for ${reward.name} (${reward.cost} points)`,
        Boolean(locked) || missing > 0,
        act(
          (pin, key) => device.requestRewardAsDevice(child.id, reward.id, { pin, idempotencyKey: key })
        )
      );
      return missing > 0 ? item(ask, ` ${missing} more to go`) : item(ask);
    });
    const waiting = [
      ...pending.map((claim) => item(`${claim.task_name}: waiting for a grown-up to check`)),
      // Only what this tablet asked for can be cancelled here; a grown-up's request stays theirs.
      ...child.pending_requests.map(
        (request) => request.mine ? item(
          `${request.reward_name} (${request.cost} points): asked for `,
          actionButton(
            `Cancel ${request.reward_name}`,
            Boolean(locked),
            act(
              (pin, key) => device.cancelOwnRequest(request.id, { pin, idempotencyKey: key })
            )
          )
        ) : item(`${request.reward_name} (${request.cost} points): asked for by a grown-up`)
      )
    ];
    const error = paragraph(errors.get(child.id) ?? "", "error");
    error.setAttribute("role", "alert");
    section.append(
      title,
      paragraph("", "points", number(child.points, "points"), " points"),
      paragraph("", "available", number(child.available_points, "available"), " to spend")
    );
    if (locked) {
      const until = locked.toLocaleTimeString();
      section.append(paragraph(`Locked until ${until}: wait a little.`, "locked"));
    }
    section.append(
      heading("h4", "Chores"),
      list(chores, "No chores yet."),
      heading("h4", "Rewards"),
      list(rewards, "No rewards yet."),
      heading("h4", "Waiting"),
      list(waiting, "Nothing waiting.")
    );
    if (decided.length) {
      const recent = decided.slice(0, RECENT_DECISIONS).map((claim) => item(`${claim.task_name}: ${claim.status}`));
      section.append(heading("h4", "Recently checked"), list(recent, ""));
    }
    section.append(error);
    return section;
  }
  async function perform(child, section, run) {
    errors.delete(child.id);
    let pin;
    if (child.has_pin) {
      const typed = await askPin(child.name);
      if (typed === null) return;
      pin = typed;
    }
    section.setAttribute("aria-busy", "true");
    for (const control of section.querySelectorAll("button")) control.disabled = true;
    try {
      await run(pin, newIdempotencyKey());
    } catch (failure) {
      errors.set(child.id, describe(failure));
    }
    await refresh();
  }
  function askPin(childName) {
    pinTitle.textContent = `PIN for ${childName}`;
    pinInput.value = "";
    pinDialog.returnValue = "";
    return new Promise((resolve) => {
      pinDialog.addEventListener(
        "close",
        () => resolve(pinDialog.returnValue === "ok" && pinInput.value ? pinInput.value : null),
        { once: true }
      );
      pinDialog.showModal();
      pinInput.focus();
    });
  }
  pinCancel.addEventListener("click", () => pinDialog.close(""));
  function describe(failure, field) {
    const refusal = pinRefusalOf(failure);
    if (refusal?.code === "pin_locked" && refusal.locked_until) {
      return `Too many wrong PINs: wait until ${new Date(refusal.locked_until).toLocaleTimeString()}.`;
    }
    if (refusal) return refusal.detail;
    if (failure instanceof ApiError) {
      const messages = field ? failure.messagesFor(field) : [];
      if (messages.length) return messages.join(" ");
      return failure.detail || Object.values(failure.fieldErrors).flat().join(" ") || failure.message;
    }
    return failure instanceof Error ? failure.message : String(failure);
  }
  function newIdempotencyKey() {
    return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }
  function heading(level, text) {
    const found = document.createElement(level);
    found.textContent = text;
    return found;
  }
  function number(value, name) {
    const found = document.createElement("span");
    found.dataset[name] = String(value);
    found.textContent = String(value);
    return found;
  }
  function paragraph(text, className, ...parts) {
    const found = document.createElement("p");
    found.className = className;
    found.append(text, ...parts);
    return found;
  }
  function item(...parts) {
    const found = document.createElement("li");
    found.append(...parts);
    return found;
  }
  function actionButton(label, disabled, onClick) {
    const control = document.createElement("button");
    control.type = "button";
    control.textContent = label;
    control.disabled = disabled;
    control.addEventListener("click", onClick);
    return control;
  }
  function list(items, empty) {
    if (!items.length) return paragraph(empty, "empty");
    const found = document.createElement("ul");
    found.append(...items);
    return found;
  }
  function credentialFromAddress() {
    const given = new URLSearchParams(location.hash.slice(1)).get("credential");
    if (!given) return void 0;
    history.replaceState(null, "", location.pathname + location.search);
    localStorage.setItem(CREDENTIAL_KEY, given);
    return given;
  }
  var saved = credentialFromAddress() ?? localStorage.getItem(CREDENTIAL_KEY);
  if (saved) void open(saved);
  else showPairing();
})();
