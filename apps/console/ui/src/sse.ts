/**
 * Server-Sent Events over `fetch`: `EventSource` cannot send an `Authorization` header, so the
 * stream is read with a reader and parsed here, following the HTML standard's rules for lines,
 * fields and dispatch.
 */

/** One dispatched event. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string;
}

/** Feeds text chunks in and calls back once per complete event. */
export interface SseParser {
  push(chunk: string): void;
  /** The reconnection delay the server asked for with `retry:`, in milliseconds. */
  readonly retry: number | undefined;
  /** The last `id:` seen, sent back as `Last-Event-ID` on reconnection. */
  readonly lastEventId: string;
}

/** Builds a parser; chunks may split lines (and CR LF pairs) anywhere. */
export function createSseParser(onMessage: (message: SseMessage) => void): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastEventId = '';
  let retry: number | undefined;

  function line(text: string): void {
    if (text === '') {
      if (data.length > 0) {
        onMessage({
          event: event === '' ? 'message' : event,
          data: data.join('\n'),
          id: lastEventId,
        });
      }
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        event = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        // Unknown fields are ignored, as the standard says.
        break;
    }
  }

  return {
    push(chunk: string) {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match) return;
        // A lone CR at the end may be the first half of a CR LF split across chunks.
        if (match[0] === '\r' && match.index === buffer.length - 1) return;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
    get retry() {
      return retry;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
