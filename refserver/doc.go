// Package refserver is sseload's reference Server-Sent Events server: the default target of
// "sseload run", the server behind "sseload serve", and the workhorse of the tests. It
// produces streams whose every event the harness can verify exactly.
//
// # Streams
//
// GET /events is the topic "default"; GET /events/{topic} is the topic named by one path
// segment (at most 128 bytes). Every topic is one broadcast stream: all its subscribers
// see the same events with the same ids. Other paths get 404; methods other than GET get
// 405 (Allow: GET). Topics are never removed, and each keeps a replay buffer: once there
// are Config.MaxTopics (64 by default), a request for a new one gets 503 with a
// plain-text body naming the limit, while the existing topics serve as before.
//
// A topic's generator starts with its first request and publishes Config.Rate events per
// second until Close, or until Config.MaxEvents events (events, not ids: see below for a
// topic whose ids do not start at 1). It wakes on a timer at most once
// a millisecond and publishes every event due by then in one batch, so high rates need no
// timer per event. A stream stays open after MaxEvents (with heartbeats, if configured);
// the server never ends a stream on its own unless a fault mode says so.
//
// Close ends every stream cleanly, as a stream's end should read: the end of the chunked
// body on HTTP/1.1, END_STREAM on HTTP/2, so that a client reads to EOF without an error
// and can tell a server that stopped from a connection that broke.
//
// # Wire format
//
// A response is 200, Content-Type text/event-stream, Cache-Control no-cache. It starts with
// "retry: MS" when Config.Retry is set, then any sseload comments (below), then events:
//
//	id: 42
//	event: update
//	data: {"seq":42,"ts":1732400000123456789,"pad":"xxxxxxxxxxxxxxxxxxxx"}
//
// id is the event's sequence number within its topic: 1, 2, 3, … without gaps (N+1,
// N+2, … on a topic that adopted a Last-Event-ID N, see Replay). The event
// line is present only when Config.EventTypes is set; the type of event seq is
// PickType(Config.EventTypes, seq), a pure function of seq. data is one line of JSON: seq
// equals id, ts is the publication time in Unix nanoseconds (the harness measures delivery
// latency against it), and pad is a run of 'x' that makes the JSON exactly
// Config.PayloadSize bytes long (or empty, when the rest alone is longer). Each event is
// encoded once, when published, and the same bytes go to every subscriber.
//
// Config.Heartbeat sends the comment line ": heartbeat" to every open stream once per
// period (one shared ticker). Lines the server adds about replay start with ": sseload: ".
//
// # Replay
//
// Each topic keeps its newest Config.ReplayBuffer events. A request with
// Last-Event-ID: N (a non-negative decimal integer) is a resume:
//
//   - N within the buffer (oldest-1 ≤ N ≤ newest): the stream sends N+1 … newest, then
//     continues live. N = newest replays nothing.
//   - A new topic, one that has sent no event and adopted no id yet (as after a restart
//     of the server), and 0 < N ≤ 2^53: the topic adopts N as its newest id, so its
//     first event is N+1. The stream first sends the comment ": sseload: topic is new;
//     continuing from Last-Event-ID N", then N+1, N+2, … live: a client that followed
//     an earlier process of the server resumes with no gap in ids. Adopting happens
//     under the topic's lock, before its generator publishes a first event, even when
//     the generator already runs; streams that were waiting for that first event get
//     N+1 too. Only the first such request adopts: later ones, whatever their N, meet a
//     topic whose newest id is N and follow the other rules. The stream is a resume:
//     the replay fault modes apply to it.
//   - N older than the buffer (N+1 < oldest): the stream first sends the comment
//     ": sseload: Last-Event-ID N is older than the replay buffer: D events dropped, resuming
//     at OLDEST", where D = OLDEST-N-1, then OLDEST … newest, then live. The lost events are
//     the server's, announced, and still count as lost for the client.
//
// These are not resumes; the stream starts live, after the newest event:
//
//   - N newer than the newest event: comment ": sseload: Last-Event-ID N is newer than the
//     newest event M; streaming live".
//   - A value that is not a non-negative decimal integer: comment ": sseload: ignoring
//     Last-Event-ID "V": not a non-negative integer; streaming live".
//   - No header, or an empty one.
//
// A subscriber so slow that the buffer wrapped past its position gets ": sseload:
// subscriber fell behind: D events dropped, resuming at S" and continues at the oldest
// event kept (counted in Stats.EventsOverrun).
//
// # Fault modes
//
// Config.Faults makes the server misbehave on purpose, deterministically, so that a replay
// checker can be shown to catch each fault. They apply in this order:
//
//   - ignore-last-event-id: the Last-Event-ID header is disregarded; every stream starts
//     live as if the client had sent none (the events since N are lost to it).
//   - drop-on-replay: on a resume, the first event the stream would send is never sent:
//     event N+1 (or OLDEST, when N is older than the buffer), whether it comes from the
//     buffer or arrives live. The stream then continues with the next one.
//   - dup-on-replay: on a resume, the stream first sends event N again, the one the client
//     already has, then continues normally. When N is not in the buffer (N = 0, older
//     than the buffer, or adopted by a new topic) the first event it sends is sent twice
//     instead.
//   - reorder: on every stream, resumed or fresh, the first two events it sends (after the
//     two above) go out in swapped order: N+2 before N+1 on a resume, the second live event
//     before the first on a fresh stream. A stream whose topic stops (MaxEvents) with only
//     one event held sends that one alone.
//   - close-after=N: the server ends each stream cleanly right after its Nth event (every
//     event written counts, duplicates included).
//   - status=CODE: every request for a stream path is answered with CODE and a plain-text
//     body naming the fault instead of a stream (200 means no fault).
//   - content-type=TYPE: streams are sent as usual but with this Content-Type.
//   - send-delay=DURATION: every event written to a stream first waits DURATION, one
//     stream at a time in the whole server, as a server that writes to its subscribers
//     in turn: with N streams each event reaches the last about N × DURATION after its
//     send time, so delivery latency grows with the clients (a capacity search finds
//     the knee where it breaks an objective).
//
// # Protocols
//
// HTTP/1.1 always. With Config.TLS: HTTPS, negotiating h2 or http/1.1 by ALPN, with a
// self-signed ECDSA P-256 certificate for 127.0.0.1, ::1 and localhost generated by New
// (Server.CertPool trusts it), or Config.CertFile/KeyFile. With Config.H2C: HTTP/2 over
// cleartext TCP with prior knowledge (RFC 9113 §3.3), HTTP/1.1 on the same port.
// Config.MaxStreams is SETTINGS_MAX_CONCURRENT_STREAMS for both h2 and h2c: both pass
// through net/http's one HTTP/2 server configured from http.Server.HTTP2. What a client does
// at the limit is its choice: Go's Transport opens another connection, or with
// HTTP2Config.StrictMaxConcurrentRequests waits for a free stream (both are tested).
// Config.MaxConns caps accepted connections (golang.org/x/net/netutil.LimitListener):
// connections beyond it wait in the kernel's accept queue. Streams have no write timeout.
package refserver
