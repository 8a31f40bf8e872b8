// pulumi-resource-docker: the lab's stand-in for Pulumi's docker provider (pulumi/pulumi-docker),
// implementing the provider's `host` (ssh://) and `sshOpts` settings and docker:index/network:Network
// with the official plugin's behaviour: the Docker Engine API reached through
// `ssh ... docker system dial-stdio`, every network property replaces, refresh reads the network.
// See ../README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"twister2-cluster/lab/providers/internal/standin"
)

var version = "4.11.2" // set by the build from the pinned @pulumi/docker

// engine is the Docker Engine the provider talks to.
type engine struct {
	host    *url.URL
	sshOpts []string
	// transport, when set, replaces the ssh connection (tests).
	transport http.RoundTripper
}

var theEngine = &engine{}

func main() {
	standin.Main(&standin.Server{
		Name:           "docker",
		Version:        version,
		Resources:      map[string]standin.Resource{"docker:index/network:Network": network{}},
		ValidateConfig: checkConfig,
		ApplyConfig:    theEngine.configure,
	})
}

func checkConfig(news resource.PropertyMap) []standin.Failure {
	failures := standin.Unknown(news, "", "version", "host", "sshOpts", "disableDockerDaemonCheck")
	if host, ok := standin.String(news, "host"); ok && !strings.HasPrefix(host, "ssh://") {
		failures = append(failures, standin.Failure{Property: "host", Reason: "this stand-in implements only ssh:// hosts"})
	}
	return failures
}

func (e *engine) configure(config resource.PropertyMap) error {
	host, ok := standin.String(config, "host")
	if !ok {
		return nil // a default provider nobody uses
	}
	u, err := url.Parse(host)
	if err != nil {
		return fmt.Errorf("host %q: %w", host, err)
	}
	e.host = u
	e.sshOpts = nil
	// The SDK sends list settings of the provider JSON-encoded.
	if opts, ok := standin.String(config, "sshOpts"); ok && opts != "" {
		if err := json.Unmarshal([]byte(opts), &e.sshOpts); err != nil {
			return fmt.Errorf("sshOpts: %w", err)
		}
	} else if v := standin.Plain(config["sshOpts"]); v.IsArray() {
		for _, o := range v.ArrayValue() {
			e.sshOpts = append(e.sshOpts, standin.Plain(o).StringValue())
		}
	}
	return nil
}

// client is an HTTP client whose every connection is `ssh <host> docker system dial-stdio`, as the
// Docker CLI's ssh connection helper makes it.
func (e *engine) client() (*http.Client, error) {
	if e.transport != nil {
		return &http.Client{Transport: e.transport, Timeout: 2 * time.Minute}, nil
	}
	if e.host == nil {
		return nil, fmt.Errorf("the docker provider has no host (stand-in implements only ssh:// hosts)")
	}
	args := []string{"-T"}
	if user := e.host.User.Username(); user != "" {
		args = append(args, "-l", user)
	}
	if port := e.host.Port(); port != "" {
		args = append(args, "-p", port)
	}
	args = append(args, e.sshOpts...)
	args = append(args, "--", e.host.Hostname(), "docker", "system", "dial-stdio")
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) { return dialCommand(args) }
	return &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 2 * time.Minute}, nil
}

// api calls the Engine API; a non-2xx answer is an error carrying the engine's message.
func (e *engine) api(method, path string, body any, out any) (int, error) {
	client, err := e.client()
	if err != nil {
		return 0, err
	}
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://docker/v1.41"+path, reader)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("Cannot connect to the Docker daemon at %s: %w", e.host, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		var msg struct{ Message string }
		_ = json.Unmarshal(data, &msg)
		return resp.StatusCode, fmt.Errorf("docker %s %s: %d %s", method, path, resp.StatusCode, msg.Message)
	}
	if out != nil && len(data) > 0 {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}

// dialCommand runs the ssh command and uses its standard input and output as a connection.
func dialCommand(args []string) (net.Conn, error) {
	cmd := exec.Command("ssh", args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &commandConn{cmd: cmd, stdin: stdin, stdout: stdout, stderr: &stderr}, nil
}

type commandConn struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *bytes.Buffer
}

func (c *commandConn) Read(p []byte) (int, error) {
	n, err := c.stdout.Read(p)
	if err == io.EOF && n == 0 && c.stderr.Len() > 0 {
		return 0, fmt.Errorf("ssh: %s", strings.TrimSpace(c.stderr.String()))
	}
	return n, err
}
func (c *commandConn) Write(p []byte) (int, error) { return c.stdin.Write(p) }
func (c *commandConn) Close() error {
	_ = c.stdin.Close()
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
	return nil
}
func (c *commandConn) LocalAddr() net.Addr              { return dummyAddr{} }
func (c *commandConn) RemoteAddr() net.Addr             { return dummyAddr{} }
func (c *commandConn) SetDeadline(time.Time) error      { return nil }
func (c *commandConn) SetReadDeadline(time.Time) error  { return nil }
func (c *commandConn) SetWriteDeadline(time.Time) error { return nil }

type dummyAddr struct{}

func (dummyAddr) Network() string { return "ssh" }
func (dummyAddr) String() string  { return "ssh" }
