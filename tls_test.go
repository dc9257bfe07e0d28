package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sseload/results"
)

// testCA is a certificate authority of the test's own, unknown to the system.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string // its certificate's PEM file
}

func newTestCA(t *testing.T, dir, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{cert: cert, key: key, pem: filepath.Join(dir, name+".pem")}
	writePEM(t, ca.pem, "CERTIFICATE", der)
	return ca
}

// issue signs a leaf certificate for dnsName (server) or a client, and writes
// its certificate and key files.
func (ca *testCA) issue(t *testing.T, dir, name, dnsName string, usage x509.ExtKeyUsage) (certFile, keyFile string, pair tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if dnsName != "" {
		tmpl.DNSNames = []string{dnsName}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	pair, err = tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pair
}

func writePEM(t *testing.T, file, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startTLSStream serves a stream of events over TLS (HTTP/1.1 and h2 by ALPN)
// with cert, a certificate for a name that is not 127.0.0.1; with clientCAs set
// it requires a client certificate they signed.
func startTLSStream(t *testing.T, cert tls.Certificate, clientCAs *x509.CertPool) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		streamTicks(w, r, "", 50*time.Millisecond, 0)
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		srv.TLS.ClientCAs, srv.TLS.ClientAuth = clientCAs, tls.RequireAndVerifyClientCert
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// TestTLSOptions runs against TLS servers with a CA of their own, one of them
// requiring a client certificate: each option makes the run work, and its
// absence fails it with the class that says why.
// tlsSetup is a server CA with a certificate for sse.test, and a client CA with
// a client certificate: the files a user would have.
type tlsSetup struct {
	ca                    *testCA
	server                tls.Certificate
	clientCert, clientKey string
	clientCAs             *x509.CertPool
}

func newTLSSetup(t *testing.T) tlsSetup {
	dir := t.TempDir()
	s := tlsSetup{ca: newTestCA(t, dir, "ca"), clientCAs: x509.NewCertPool()}
	_, _, s.server = s.ca.issue(t, dir, "server", "sse.test", x509.ExtKeyUsageServerAuth)
	clientCA := newTestCA(t, dir, "client-ca")
	s.clientCert, s.clientKey, _ = clientCA.issue(t, dir, "client", "", x509.ExtKeyUsageClientAuth)
	s.clientCAs.AddCert(clientCA.cert)
	return s
}

func TestTLSOptions(t *testing.T) {
	s := newTLSSetup(t)
	ca, clientCert, clientKey := s.ca, s.clientCert, s.clientKey
	otherCert, otherKey, _ := ca.issue(t, t.TempDir(), "other-client", "", x509.ExtKeyUsageClientAuth)
	plain := startTLSStream(t, s.server, nil)
	mtls := startTLSStream(t, s.server, s.clientCAs)

	trust := []string{"--cacert", ca.pem, "--tls-server-name", "sse.test"}
	for _, tc := range []struct {
		name      string
		srv       *httptest.Server
		args      []string
		wantCode  int
		wantOut   []string // in the summary
		wantClass string   // the one error class, when the run fails
	}{
		{"own CA, not trusted", plain, nil, 1, nil, "tls certificate not trusted"},
		{"own CA, wrong name", plain, []string{"--cacert", ca.pem}, 1, nil, "tls certificate not trusted"},
		{"own CA trusted, server name", plain, trust, 0, []string{"errors      none"}, ""},
		{"own CA trusted, server name, h2", plain, append([]string{"--protocol", "h2"}, trust...), 0, []string{"h2 asked, HTTP/2.0 seen"}, ""},
		{"insecure", plain, []string{"--insecure"}, 0, []string{"TLS certificates NOT verified (--insecure)"}, ""},
		{"client certificate missing", mtls, trust, 1, []string{"--cert and --key"}, "tls: client certificate required or refused"},
		{"client certificate of another CA", mtls, append([]string{"--cert", otherCert, "--key", otherKey}, trust...), 1, nil, "tls: client certificate required or refused"},
		{"client certificate", mtls, append([]string{"--cert", clientCert, "--key", clientKey}, trust...), 0, []string{"errors      none"}, ""},
		{"client certificate, h2", mtls, append([]string{"--protocol", "h2", "--cert", clientCert, "--key", clientKey}, trust...), 0, []string{"errors      none"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			args := append([]string{"run", tc.srv.URL + "/events", "--clients", "3", "--ramp", "0s", "--duration", "700ms",
				"--retry", "100ms", "--no-tui", "-q", "--out", out}, tc.args...)
			code, stdout, stderr := runCmd(t, context.Background(), args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(stdout, want) {
					t.Errorf("summary lacks %q:\n%s", want, stdout)
				}
			}
			r, err := results.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantClass != "" {
				if r.Totals.StreamsOpened != 0 || r.ErrorsByClass[tc.wantClass] == 0 || len(r.ErrorsByClass) != 1 {
					t.Errorf("streams %d, errors %v: want none opened, all %q", r.Totals.StreamsOpened, r.ErrorsByClass, tc.wantClass)
				}
				return
			}
			if r.Totals.StreamsOpened < 3 || r.Totals.EventsReceived == 0 || r.Totals.Errors != 0 {
				t.Errorf("streams %d, events %d, errors %v: want 3 streams with events, no errors",
					r.Totals.StreamsOpened, r.Totals.EventsReceived, r.ErrorsByClass)
			}
			if insecure := tc.name == "insecure"; r.Scenario.TLS.Insecure != insecure {
				t.Errorf("result says insecure %v, want %v", r.Scenario.TLS.Insecure, insecure)
			}
		})
	}
}

// TestTailTLSOptions: tail takes the same TLS flags.
func TestTailTLSOptions(t *testing.T) {
	s := newTLSSetup(t)
	srv := startTLSStream(t, s.server, s.clientCAs)
	ca := s.ca
	stdout, stderr, err := runTail(t, "--max-events", "2", "--cacert", ca.pem, "--tls-server-name", "sse.test",
		"--cert", s.clientCert, "--key", s.clientKey, srv.URL+"/events")
	if err != nil || strings.Count(stdout, "data: ") != 2 {
		t.Errorf("tail: %v; stdout %q, stderr %q; want two events", err, stdout, stderr)
	}
	_, _, err = runTail(t, "--max-events", "2", "--cacert", ca.pem, srv.URL+"/events")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("tail without the server name: %v; want a certificate error", err)
	}
}
