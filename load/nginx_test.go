package load

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sseload/refserver"
	"sseload/scenarios"
)

// freePort returns a loopback port nothing listens on (now).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files in
// dir and returns a pool that trusts it.
func selfSigned(t *testing.T, dir string) (*x509.CertPool, string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool, certFile, keyFile
}

// TestNginxHTTP2: the HTTP/2 client against nginx, an HTTP/2 server nobody
// here wrote, proxying the reference server (as SSE deployments put nginx in
// front): h2c with prior knowledge and h2 over TLS with ALPN, under churn with
// the replay checker on — every stream opens over HTTP/2, resumes through the
// proxy with Last-Event-ID and loses nothing. Skipped, saying so, where nginx
// is not installed (.ci/run installs it).
func TestNginxHTTP2(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/nginx"); err != nil {
			t.Skip("nginx is not installed (apt-get install nginx): the independent HTTP/2 server test needs it")
		}
		nginx = "/usr/sbin/nginx"
	}
	backend := startTarget(t, refserver.Config{Addr: "127.0.0.1:0", Rate: 20})
	dir := t.TempDir()
	pool, certFile, keyFile := selfSigned(t, dir)
	h2cPort, tlsPort := freePort(t), freePort(t)
	os.Mkdir(filepath.Join(dir, "tmp"), 0o700)
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp;
  uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
  server {
    listen 127.0.0.1:%[2]d http2;
    listen 127.0.0.1:%[3]d ssl http2;
    ssl_certificate %[4]s;
    ssl_certificate_key %[5]s;
    location / {
      proxy_pass %[6]s;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`, dir, h2cPort, tlsPort, certFile, keyFile, strings.TrimSuffix(backend.URL(), "/events"))
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", confFile, "-e", filepath.Join(dir, "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tlsPort))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not listen: %v\n%s\n%s", err, out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tc := range []struct {
		protocol scenarios.Protocol
		url      string
	}{
		{scenarios.ProtocolH2C, fmt.Sprintf("http://127.0.0.1:%d/events", h2cPort)},
		{scenarios.ProtocolH2, fmt.Sprintf("https://127.0.0.1:%d/events", tlsPort)},
	} {
		t.Run(string(tc.protocol), func(t *testing.T) {
			sc := quick(tc.url, 40, 2*time.Second)
			sc.Protocol, sc.H1IO = tc.protocol, ""
			sc.Churn.Rate = 0.2
			sum := run(t, sc, Options{RootCAs: pool})
			tot := sum.Final.Totals
			if seen := sum.Final.Run.ProtocolSeen; seen != "HTTP/2.0" {
				t.Errorf("protocol seen %q, want HTTP/2.0", seen)
			}
			if tot.Errors != 0 || tot.StreamsOpened <= 40 || tot.Reconnects == 0 || tot.EventsReceived == 0 || tot.ConnectionsPeak > 2 {
				t.Errorf("errors %v, streams %d, reconnects %d, events %d, connections %d: want none, over 40 (churn), some, some, 1 or 2",
					sum.Final.ErrorsByClass, tot.StreamsOpened, tot.Reconnects, tot.EventsReceived, tot.ConnectionsPeak)
			}
			if f := sum.Final.Findings; f.Total() != 0 || f.Refused != "" || tot.EventsReplayed == 0 {
				t.Errorf("findings %+v, %d replayed: want none, resumes replayed through nginx", f, tot.EventsReplayed)
			}
		})
	}
}
