package megasim

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

// authority is the throw-away CA that signs the server's certificate so
// that data URLs can be served over https (protocol notes §6.4 option a).
type authority struct {
	cert         *x509.Certificate
	certPEM      []byte
	serverConfig *tls.Config
}

func newAuthority(host string) (*authority, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("megasim: ca key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "megasim local CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("megasim: ca certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("megasim: parse ca: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("megasim: server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "megasim"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("megasim: server certificate: %w", err)
	}
	return &authority{
		cert:    caCert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		serverConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		},
	}, nil
}

// sniffListener serves plain HTTP and TLS on one port: a connection whose
// first byte is 0x16 (a TLS handshake record) is wrapped in tls.Server.
type sniffListener struct {
	net.Listener
	tlsConfig *tls.Config
}

func (l *sniffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, cfg: l.tlsConfig}, nil
}

// sniffConn decides on its first Read whether it carries TLS. Reads and
// writes go to the TLS layer from then on; deadlines and Close go to the
// raw connection (tls.Conn forwards them there too).
type sniffConn struct {
	net.Conn
	cfg  *tls.Config
	once sync.Once
	rw   net.Conn // the connection to read and write through
}

// peekedConn replays what the bufio.Reader already buffered.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }

func (c *sniffConn) decide() {
	br := bufio.NewReaderSize(c.Conn, 1024)
	first, err := br.Peek(1)
	pc := &peekedConn{Conn: c.Conn, r: br}
	if err != nil {
		c.rw = pc
		return
	}
	if first[0] == 0x16 {
		c.rw = tls.Server(pc, c.cfg)
		return
	}
	c.rw = pc
}

func (c *sniffConn) Read(b []byte) (int, error) {
	c.once.Do(c.decide)
	return c.rw.Read(b)
}

func (c *sniffConn) Write(b []byte) (int, error) {
	c.once.Do(c.decide)
	return c.rw.Write(b)
}

// Close closes the raw connection without waiting for a pending first
// Read (http.Server.Close must not block on a silent client).
func (c *sniffConn) Close() error { return c.Conn.Close() }
