package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"twister2-cluster/lab/providers/internal/standin"
)

// connection is command:remote:Connection as far as this stand-in implements it; proxy, when set, is
// its bastion (command:remote:ProxyConnection), which has the same fields but no proxy of its own.
type connection struct {
	user, host, privateKey, hostKey string
	port, dialErrorLimit            int
	perDialTimeout                  time.Duration
	proxy                           *connection
}

var connectionKeys = []string{"user", "host", "port", "privateKey", "hostKey", "dialErrorLimit", "perDialTimeout"}

// checkConnection applies the official defaults (user root, port 22, 10 dial errors, 15 s a dial), to
// the proxy's fields too, and marks secret what the official Check does: the whole connection, and
// within it each privateKey (the proxy itself is not).
func checkConnection(m resource.PropertyMap) []standin.Failure {
	v, ok := m["connection"]
	if !ok {
		return []standin.Failure{{Property: "connection", Reason: "missing required property connection"}}
	}
	m["connection"] = standin.Secret(v)
	conn, ok := standin.Object(m, "connection")
	if !ok {
		return nil // unknown in preview
	}
	conn = conn.Copy()
	failures := standin.Unknown(conn, "connection", append(connectionKeys, "proxy")...)
	failures = append(failures, checkEndpoint(conn, "connection")...)
	if proxy, ok := standin.Object(conn, "proxy"); ok {
		proxy = proxy.Copy()
		failures = append(failures, standin.Unknown(proxy, "connection.proxy", connectionKeys...)...)
		failures = append(failures, checkEndpoint(proxy, "connection.proxy")...)
		conn["proxy"] = resource.NewObjectProperty(proxy)
	}
	m["connection"] = standin.Secret(resource.NewObjectProperty(conn))
	return failures
}

// checkEndpoint checks and completes the fields a connection and its proxy share.
func checkEndpoint(conn resource.PropertyMap, property string) []standin.Failure {
	var failures []standin.Failure
	if _, has := conn["host"]; !has {
		failures = append(failures, standin.Failure{Property: property + ".host", Reason: "missing required property " + property + ".host"})
	}
	standin.Default(conn, "user", resource.NewStringProperty("root"))
	standin.Default(conn, "port", resource.NewNumberProperty(22))
	standin.Default(conn, "dialErrorLimit", resource.NewNumberProperty(10))
	standin.Default(conn, "perDialTimeout", resource.NewNumberProperty(15))
	if key, has := conn["privateKey"]; has {
		conn["privateKey"] = standin.Secret(key)
	}
	if key, ok := standin.String(conn, "hostKey"); ok {
		if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(key)); err != nil {
			failures = append(failures, standin.Failure{Property: property + ".hostKey", Reason: "failed to parse host key: " + err.Error()})
		}
	}
	return failures
}

func connectionOf(m resource.PropertyMap) connection {
	conn, _ := standin.Object(m, "connection")
	c := endpointOf(conn)
	if p, ok := standin.Object(conn, "proxy"); ok {
		proxy := endpointOf(p)
		c.proxy = &proxy
	}
	return c
}

func endpointOf(conn resource.PropertyMap) connection {
	c := connection{}
	c.user, _ = standin.String(conn, "user")
	c.host, _ = standin.String(conn, "host")
	c.privateKey, _ = standin.String(conn, "privateKey")
	c.hostKey, _ = standin.String(conn, "hostKey")
	port, _ := standin.Number(conn, "port")
	limit, _ := standin.Number(conn, "dialErrorLimit")
	timeout, _ := standin.Number(conn, "perDialTimeout")
	c.port, c.dialErrorLimit, c.perDialTimeout = int(port), int(limit), time.Duration(timeout)*time.Second
	return c
}

// clientConfig is what the official plugin logs in with: the host key must be the pinned one (any key
// when none is pinned), the privateKey and then the agent's keys offered.
func (c connection) clientConfig() (*ssh.ClientConfig, func(), error) {
	config := &ssh.ClientConfig{User: c.user, Timeout: c.perDialTimeout}
	if c.hostKey != "" {
		pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.hostKey))
		if err != nil {
			return nil, nil, fmt.Errorf("failed to parse host key: %w", err)
		}
		config.HostKeyCallback = ssh.FixedHostKey(pinned)
		config.HostKeyAlgorithms = []string{pinned.Type()}
	} else {
		config.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec // the official behaviour without hostKey
	}
	if c.privateKey != "" {
		signer, err := ssh.ParsePrivateKey([]byte(c.privateKey))
		if err != nil {
			return nil, nil, err
		}
		config.Auth = append(config.Auth, ssh.PublicKeys(signer))
	}
	// As the official plugin (without agentSocketPath, which this stand-in refuses): the agent at
	// SSH_AUTH_SOCK, when that is set, offers its keys after the privateKey; an agent that cannot be
	// reached fails the connection.
	done := func() {}
	if socket := os.Getenv("SSH_AUTH_SOCK"); socket != "" {
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return nil, nil, err
		}
		done = func() { conn.Close() }
		config.Auth = append(config.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return config, done, nil
}

// dial connects as the official plugin does: every failed dial is retried with a growing pause until
// dialErrorLimit. With a proxy, the proxy is dialled first (its own limit), then the host through it.
func (c connection) dial(call *standin.Call) (*ssh.Client, error) {
	config, done, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	defer done()
	endpoint := net.JoinHostPort(c.host, strconv.Itoa(c.port))
	if c.proxy == nil {
		return retryDial(call, "Dial", c.dialErrorLimit, func() (*ssh.Client, error) { return ssh.Dial("tcp", endpoint, config) })
	}
	proxyConfig, proxyDone, err := c.proxy.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	defer proxyDone()
	proxyEndpoint := net.JoinHostPort(c.proxy.host, strconv.Itoa(c.proxy.port))
	bastion, err := retryDial(call, "Dial proxy", c.proxy.dialErrorLimit, func() (*ssh.Client, error) { return ssh.Dial("tcp", proxyEndpoint, proxyConfig) })
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	tunnel, err := retryDial(call, "Dial from proxy", c.dialErrorLimit, func() (net.Conn, error) { return bastion.Dial("tcp", endpoint) })
	if err != nil {
		bastion.Close()
		return nil, fmt.Errorf("proxy: %w", err)
	}
	conn, channels, requests, err := ssh.NewClientConn(tunnel, endpoint, config)
	if err != nil {
		bastion.Close()
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return ssh.NewClient(conn, channels, requests), nil
}

// retryDial retries as the official plugin counts: the dial after the limit-th failure is the last.
func retryDial[T any](call *standin.Call, what string, dialErrorLimit int, dial func() (T, error)) (T, error) {
	pause := 100 * time.Millisecond
	for dials := 1; ; dials++ {
		result, err := dial()
		if err == nil {
			return result, nil
		}
		if dialErrorLimit > -1 && dials > dialErrorLimit {
			return result, fmt.Errorf("after %d failed attempts: %w", dials-1, err)
		}
		limit := "inf"
		if dialErrorLimit > -1 {
			limit = strconv.Itoa(dialErrorLimit)
		}
		call.Status(fmt.Sprintf("%s %d/%s failed: retrying (stand-in)", what, dials, limit))
		time.Sleep(pause)
		pause = min(time.Duration(float64(pause)*1.5), 5*time.Second)
	}
}
