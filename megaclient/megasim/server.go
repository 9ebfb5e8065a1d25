package megasim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Account is an account provisioned at start-up from its e-mail and
// password. Only what the real service keeps is retained afterwards.
type Account struct {
	Email, Password string
	Version         int    // 1 (legacy AES password key) or 2 (PBKDF2-SHA512 + salt); 0 means 2
	TOTPSecret      string // base32; non-empty enables two-factor login (-26 without a code)
}

// Options configures a Server.
type Options struct {
	Accounts   []Account
	DataDir    string // "" = in memory
	QuotaBytes int64  // storage limit per account; 0 = 50 GiB
	Faults     Faults // all zero = off
	// Seed makes node and link handles (and fault decisions)
	// reproducible; 0 picks a random seed for handles, so separately
	// started servers hand out different handles, as the real service does.
	Seed int64
	// DataAddr is where the storage host (upload and download URLs)
	// listens; "" means a free port on the API listener's host. As on the
	// real service, data URLs are on a host of their own: the API host
	// answers 404 to them.
	DataAddr string
	// TransferQuota is how many bytes downloads may read before the
	// service refuses them for bandwidth quota, as the real one does: `g`
	// answers over quota (-17) with the wait in "tl", the storage host
	// answers HTTP 509 with X-MEGA-Time-Left. After TransferQuotaWait
	// (default 30 s) the quota is back. 0 means no limit.
	TransferQuota     int64
	TransferQuotaWait time.Duration
	Logf              func(format string, args ...any) // nil = silent
	// BodyTimeout bounds reading one request, headers and body (default
	// 2 min: an upload piece of 1 MiB at 10 KiB/s); IdleTimeout how long
	// a kept-alive connection may wait for its next request (default
	// 2 min). Slow or stalled clients cannot hold connections for ever.
	// Responses have no deadline: long polls wait as long as they must.
	BodyTimeout, IdleTimeout time.Duration
}

// DefaultQuotaBytes is the storage limit of an account when
// Options.QuotaBytes is zero (the free plan's 50 GiB).
const DefaultQuotaBytes int64 = 50 << 30

// Server is a running MEGA API emulator.
type Server struct {
	opts    Options
	ln      net.Listener
	httpSrv *http.Server
	url     string
	dataLn  net.Listener
	dataSrv *http.Server
	dataURL string // the storage host, e.g. http://127.0.0.1:41235
	ca      *authority
	caFile  string
	client  *http.Client // trusts ca
	tmpDir  string       // removed on Close when we created it
	closing chan struct{}
	wg      sync.WaitGroup

	faultMu sync.Mutex
	faults  Faults
	rngs    *faultRNGs

	mu       sync.Mutex
	accounts map[string]*account // by lower-case e-mail
	byHandle map[string]*account // by user handle
	sessions map[string]*session // by sha256 of the sid
	uploads  map[string]*upload  // by upload URL id
	tokens   map[string]*upload  // by completion token
	links    map[string]linkRef  // public handle -> node
	inbound  map[string][]inRef  // recipient user handle -> shares it receives
	replies  map[replyKey]*cachedReply
	counts   map[string]int
	ids      *rand.Rand // seeded: node handles, link handles
	store    *store     // nil in memory
	blobs    blobStore
	dlKey    []byte // HMAC key of download URLs
	hashcash map[string]hashcashChallenge
	closed   bool
	xfer     transferQuota
	// refuseConns answers every API request "too many connections" (-19).
	refuseConns bool
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func Start(opts Options) (*Server, error) {
	return StartOn("127.0.0.1:0", opts)
}

// StartOn listens on addr ("host:port") and serves until Close.
func StartOn(addr string, opts Options) (*Server, error) {
	if opts.QuotaBytes <= 0 {
		opts.QuotaBytes = DefaultQuotaBytes
	}
	s := &Server{
		opts:     opts,
		closing:  make(chan struct{}),
		accounts: map[string]*account{},
		byHandle: map[string]*account{},
		sessions: map[string]*session{},
		uploads:  map[string]*upload{},
		tokens:   map[string]*upload{},
		links:    map[string]linkRef{},
		replies:  map[replyKey]*cachedReply{},
		counts:   map[string]int{},
		hashcash: map[string]hashcashChallenge{},
		ids:      rand.New(rand.NewPCG(handleSeed(opts.Seed), 0x6d65676173696d)),
		faults:   opts.Faults,
		rngs:     newFaultRNGs(opts.Seed),
		dlKey:    randomBytes(32),
	}
	s.xfer.limit, s.xfer.wait = opts.TransferQuota, opts.TransferQuotaWait
	if err := s.openStorage(); err != nil {
		return nil, err
	}
	if err := s.provision(opts.Accounts); err != nil {
		s.closeStorage()
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.closeStorage()
		return nil, fmt.Errorf("megasim: listen %s: %w", addr, err)
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		_ = ln.Close()
		s.closeStorage()
		return nil, fmt.Errorf("megasim: listener address: %w", err)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	s.url = "http://" + net.JoinHostPort(host, port)
	if err := s.setupTLS(host); err != nil {
		_ = ln.Close()
		s.closeStorage()
		return nil, err
	}
	dataAddr := opts.DataAddr
	if dataAddr == "" {
		dataAddr = net.JoinHostPort(host, "0")
	}
	dln, err := net.Listen("tcp", dataAddr)
	if err != nil {
		_ = ln.Close()
		s.closeStorage()
		return nil, fmt.Errorf("megasim: listen %s: %w", dataAddr, err)
	}
	_, dport, _ := net.SplitHostPort(dln.Addr().String())
	s.dataURL = "http://" + net.JoinHostPort(host, dport)
	s.ln = &sniffListener{Listener: ln, tlsConfig: s.ca.serverConfig}
	s.dataLn = &sniffListener{Listener: dln, tlsConfig: s.ca.serverConfig}
	s.httpSrv = s.newHTTPServer(s.routes())
	s.dataSrv = s.newHTTPServer(http.HandlerFunc(s.dispatchData))
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = s.httpSrv.Serve(s.ln)
	}()
	go func() {
		defer s.wg.Done()
		_ = s.dataSrv.Serve(s.dataLn)
	}()
	s.logf("megasim: serving %s, storage at %s (%d accounts)", s.url, s.dataURL, len(s.accounts))
	return s, nil
}

func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	body, idle := s.opts.BodyTimeout, s.opts.IdleTimeout
	if body <= 0 {
		body = 2 * time.Minute
	}
	if idle <= 0 {
		idle = 2 * time.Minute
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(30*time.Second, body),
		ReadTimeout:       body,
		IdleTimeout:       idle,
		ConnContext:       withConn,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
}

// handleSeed is the seed of the handle generator: the configured one, or
// a random one when none is set.
func handleSeed(seed int64) uint64 {
	if seed != 0 {
		return uint64(seed)
	}
	return rand.Uint64()
}

// setupTLS creates the CA and server certificate and writes the CA's PEM
// file next to the data (or into a private temporary directory).
func (s *Server) setupTLS(host string) error {
	ca, err := newAuthority(host)
	if err != nil {
		return err
	}
	s.ca = ca
	s.client = newTrustingClient(ca.cert)
	dir := s.opts.DataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "megasim-ca-")
		if err != nil {
			return fmt.Errorf("megasim: ca directory: %w", err)
		}
		s.tmpDir = d
		dir = d
	}
	s.caFile = filepath.Join(dir, "ca.pem")
	if err := writeFileAtomic(s.caFile, ca.certPEM, 0o644); err != nil {
		return fmt.Errorf("megasim: write ca: %w", err)
	}
	return nil
}

// URL returns the API base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
func (s *Server) URL() string { return s.url }

// DataURL returns the base URL of the storage host that upload and
// download URLs point to (a listener of its own).
func (s *Server) DataURL() string { return s.dataURL }

// CAFile returns the path of the PEM file holding the CA that signed the
// server's TLS certificate (suitable for SSL_CERT_FILE).
func (s *Server) CAFile() string { return s.caFile }

// HTTPClient returns a client that trusts the server's CA, for https data
// URLs. Every call returns the same client (one connection pool).
func (s *Server) HTTPClient() *http.Client { return s.client }

func newTrustingClient(ca *x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	tr := &http.Transport{
		Proxy:           nil,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}
	return &http.Client{Transport: tr}
}

// CommandCount reports how many times API command cmd ("us", "f", ...)
// was executed. Replayed replies and requests refused by a fault (EAGAIN,
// hashcash) are not executions. Other counters: "sc" and "wsc" (polls and
// wait URLs served), "upload-piece", "download-range", "upload-bytes"
// and "download-bytes" (ciphertext received and served), "unknown"
// (unknown commands), "hashcash-challenge" and "hashcash-solved".
func (s *Server) CommandCount(cmd string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[cmd]
}

// ExpireSessions logs out every session of the account of email, as if
// the service had expired them: their sids answer -15 from then on. It
// returns how many sessions ended.
func (s *Server) ExpireSessions(email string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[strings.ToLower(email)]
	if a == nil {
		return 0
	}
	n := len(a.rec.Sessions)
	for _, h := range a.rec.Sessions {
		delete(s.sessions, h)
	}
	a.rec.Sessions = nil
	if err := s.saveAccounts(); err != nil {
		s.logf("megasim: %v", err)
	}
	return n
}

// SetFaults replaces the fault configuration at run time.
func (s *Server) SetFaults(f Faults) {
	s.faultMu.Lock()
	s.faults = f
	s.faultMu.Unlock()
}

// currentFaults returns a copy of the fault configuration.
func (s *Server) currentFaults() Faults {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faults
}

// Close stops the server, ends long polls, and flushes persistent state.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing) // ends long polls and latency sleeps
	s.mu.Unlock()
	// Let running handlers finish (so no command lands after the final
	// snapshot), then cut whatever is left.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err := s.httpSrv.Shutdown(ctx)
	if err != nil {
		err = s.httpSrv.Close()
	}
	if derr := s.dataSrv.Shutdown(ctx); derr != nil {
		_ = s.dataSrv.Close()
	}
	cancel()
	s.wg.Wait()
	s.client.CloseIdleConnections()
	s.mu.Lock()
	serr := s.closeStorage()
	s.mu.Unlock()
	if s.tmpDir != "" {
		if rerr := os.RemoveAll(s.tmpDir); rerr != nil && err == nil {
			err = rerr
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		err = serr
	}
	return err
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// routes returns the top-level handler. It routes on path suffixes itself
// (no ServeMux) because go-mega may request "//cs", which a ServeMux would
// answer with a redirect.
func (s *Server) routes() http.Handler {
	return http.HandlerFunc(s.dispatch)
}
