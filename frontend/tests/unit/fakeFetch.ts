// A fetch that records each request and answers from a queue: enough to see what the client sends.
export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export interface FakeFetch {
  fetch: typeof fetch;
  sent: SentRequest[];
  /** The one request sent so far. */
  only(): SentRequest;
  answer(status: number, body?: unknown): void;
}

export function fakeFetch(): FakeFetch {
  const sent: SentRequest[] = [];
  const answers: Response[] = [];
  const fake: typeof fetch = async (input, init = {}) => {
    sent.push({
      url: String(input),
      method: init.method ?? "GET",
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === "string" ? JSON.parse(init.body) : init.body,
      credentials: init.credentials,
    });
    return answers.shift() ?? Response.json({}, { status: 200 });
  };
  return {
    fetch: fake,
    sent,
    only() {
      if (sent.length !== 1) throw new Error(`expected one request, got ${sent.length}`);
      return sent[0]!;
    },
    answer(status, body) {
      answers.push(
        body === undefined
          ? new Response(null, { status })
          : typeof body === "string"
            ? new Response(body, { status, headers: { "Content-Type": "text/html" } })
            : Response.json(body, { status }),
      );
    },
  };
}
