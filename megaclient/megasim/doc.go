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
//     TOTP code), ug, uq, sml, f (streamed), p, m, a, d, l, u, g, uk, s2/s
//     (see Shares).
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
// # Shares
//
// "uk" {"u":<e-mail or handle>} answers {"u":<handle>,"pubk":<pubk>}.
// "s2" (and the older "s") takes the official SDK's shape:
//
//	{"a":"s2","n":<folder>,"ok":<share key under the owner's master key>,"ha":<16 bytes>,
//	 "s":[{"u":<e-mail or handle>,"r":0|1|2,"k":<share key RSA-encrypted to u, an MPI>}],
//	 "cr":[[<share handles>],[<node handles>],[<share idx>,<node idx>,"<node key under share key>",...]]}
//
// and answers {"r":[0,...],"u":[{"u":<handle>,"m":<e-mail>}]}; a target
// without "r" removes that user. Sharing a folder that is already shared
// with a different "ok" answers {"ok":<stored ok>} and changes nothing
// (the SDK then retries with that key). The server stores ok, ha and
// each recipient's RSA-encrypted key verbatim: the share key is never
// held in clear. "cr" keys are kept per node and share; "p" and "m"
// accept "cr" too (official clients send it for nodes created in or
// moved into a share; a node sent without it stays undecryptable for the
// recipients, as on the real service).
//
// The owner's "f" lists its shares in "ok" ({h,k,ha}) and "s"
// ({h,u,r,ts}); the recipient's "f" holds the shared folder and its
// subtree, the root carrying "su" (owner), "sk" (the RSA-encrypted key)
// and "r", every node's "k" holding only "<share handle>:<key>" entries
// (plus the recipient's own entry on nodes it created). Each side lists
// the other in "u" with "c":1. Packets: the owner gets {"a":"s2","n","o",
// "u","r","ts","ok","ha"} per target; a new recipient gets {"a":"s2","n",
// "o","u","k","r","ts"} and a "t" with the shared tree; a removed one
// {"a":"s2","n","o","u"}. Later "t" (new nodes, as each recipient sees
// them), "u", "d" and moves (d+t, or only d/t when a node leaves or
// enters a share) inside a share reach the recipients' sessions too.
//
// Access: every level may fetch and download ("g"). Read-only (0): "p",
// "m", "a", "d", "l" on share nodes answer -11. Read-write (1): "p"
// creates nodes in the owner's tree (owner's quota; "u" is the creator,
// whose own key entry only it sees); "m", "a", "d" answer -11. Full
// access (2): also "a" (a "key" is applied only to the caller's own
// nodes), "d", and "m" between folders of the same owner's shares held
// with full access. Always -11 for a recipient: "l", re-sharing, moving
// across accounts, moving or deleting an inbound share's root.
//
// Not implemented: leaving a share (the recipient's "d" of the root is
// -11), pending shares to non-users (an unknown recipient is -9, where
// the real service would invite the address), contact requests (sharing
// makes both users contacts), the "k" command with which the SDK
// re-encrypts an RSA share key under the recipient's master key,
// folder-link ("EXP") shares through s2.
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
// -24; "p" completing over quota -17. Shares: unknown recipient or
// missing folder -9, sharing a file, a root, or anything in the Rubbish
// Bin or Inbox -11, sharing with oneself, an access level outside 0..2, a
// missing or malformed ok/ha/k, or a "cr" naming a node outside the
// share or with a wrong key length -2, removing a user who is not a
// recipient -9; a recipient's write (see Shares) -11.
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
