// Package megasim is a local server that speaks the MEGA cloud API as
// clients see it, faithful enough that the unmodified go-mega client
// cannot tell it from the real service (its own test suite passes against
// it; see TestGoMegaConformance). Every other part of megatui is built,
// tested, demoed and measured against it.
//
// # Use
//
//	srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: e, Password: p}}})
//	defer srv.Close()
//	m := mega.New().SetClient(srv.HTTPClient())
//	m.SetAPIUrl(srv.URL())
//
// For a subprocess, set X_MEGA_API_URL=srv.URL() and SSL_CERT_FILE=srv.CAFile().
// SeedTree fills an account with a large valid tree without HTTP;
// SetFaults, ExpireSessions, CommandCount and FaultCount steer and observe it.
//
// # Endpoints (all on one port)
//
//   - POST …/cs?id=N[&sid=S]: a JSON array of commands; one result each.
//     us0, us (csid/privk/k, -9 wrong password, -26 without or with a wrong
//     TOTP code), ug, uq, sml, f (streamed), p, m, a, d, l, u, g.
//     Batch errors are bare: -2 malformed body, -15 bad or missing sid,
//     -3 injected EAGAIN. A repeated (sid, id) with the same body replays
//     the stored reply instead of running again.
//   - POST …/sc?sn=&sid=: pending action packets {"a":[…],"sn":…}, or an
//     immediate {"w":<wait URL>,"sn":…}; the wait URL (…/wsc/<user><sn>)
//     long-polls until the account's sn moves (at most 40 s) and answers 0.
//   - POST …/ul/<id>/<offset>: upload pieces; the completing piece answers
//     the completion token (36 text characters, or 36 raw bytes ending 0x01
//     when "u" had v>=2); "?c="/"?d=" checksums are checked (-14).
//   - GET or POST …/dl/<token>[/<start>-[<end>]]: ciphertext ranges.
//
// Data URLs are https when the command had ssl>=1: the listener sniffs a
// TLS handshake (first byte 0x16) and serves TLS with a certificate from
// a CA generated at start-up (CAFile, HTTPClient).
//
// # Error codes where the real service is undocumented (inferred)
//
// Unknown command or wrong field type: -2. Missing node, target, upload
// token or public handle: -9. Moving a node into itself or its subtree:
// -10. Moving, renaming, linking or deleting a root, writing into a file,
// "g" on a folder: -11. Wrong TOTP code: -26. Cs body over 8 MiB or over
// 2000 commands: bare -2. Upload piece beyond the file: -7; unknown upload
// URL: -8. Forged download token: HTTP 403; deleted blob: 404; bad range: 416.
// Quota: "u" when the account is full -17, when the file does not fit
// -24; "p" completing over quota -17.
//
// # What the server keeps
//
// Per account exactly what the real service keeps: e-mail, salt (v2), a
// SHA-256 of the expected "uh", the master key encrypted with the
// password key, the RSA private key encrypted with the master key, the
// public key, SHA-256 hashes of live session ids, the TOTP secret. Node
// attributes and keys are stored verbatim as the client encrypted them,
// file content as uploaded ciphertext. The password and the master key
// are never held.
//
// With Options.DataDir everything persists (see store): accounts.json,
// a snapshot per account (<user handle>.json: nodes and action log,
// written atomically) plus a journal of changes since (<user
// handle>.journal, one JSON line per change), and blobs/<id> ciphertext;
// all 0600. Upload sessions in flight are not persisted.
//
// # Limits
//
// The action log keeps the last 200,000 packets in memory (an older sn
// gets -6); an account keeps its last 1,000 sessions; upload sessions
// expire after 24 h. One mutex guards all state; "f" snapshots node
// pointers under it and streams the JSON outside it.
package megasim
