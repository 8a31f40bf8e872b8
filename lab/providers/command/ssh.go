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

// connection is command:remote:Connection as far as this stand-in implements it.
type connection struct {
	user, host, privateKey, hostKey string
	port, dialErrorLimit            int
	perDialTimeout                  time.Duration
}

var connectionKeys = []string{"user", "host", "port", "privateKey", "hostKey", "dialErrorLimit", "perDialTimeout"}

// checkConnection applies the official defaults (user root, port 22, 10 dial errors, 15 s a dial).
func checkConnection(m resource.PropertyMap) []standin.Failure {
	v, ok := m["connection"]
	if !ok {
		return []standin.Failure{{Property: "connection", Reason: "missing required property connection"}}
	}
	if !v.IsObject() {
		return nil // unknown in preview
	}
	conn := v.ObjectValue()
	failures := standin.Unknown(conn, "connection", connectionKeys...)
	if _, has := conn["host"]; !has {
		failures = append(failures, standin.Failure{Property: "connection.host", Reason: "missing required property connection.host"})
	}
	standin.Default(conn, "user", resource.NewStringProperty("root"))
	standin.Default(conn, "port", resource.NewNumberProperty(22))
	standin.Default(conn, "dialErrorLimit", resource.NewNumberProperty(10))
	standin.Default(conn, "perDialTimeout", resource.NewNumberProperty(15))
	if key, ok := standin.String(conn, "hostKey"); ok {
		if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(key)); err != nil {
			failures = append(failures, standin.Failure{Property: "connection.hostKey", Reason: "failed to parse host key: " + err.Error()})
		}
	}
	return failures
}

func connectionOf(m resource.PropertyMap) connection {
	conn := m["connection"].ObjectValue()
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

// dial connects as the official plugin does: the host key must be the pinned one (any key when
// none is pinned), and every failed dial is retried with a growing pause until dialErrorLimit.
func (c connection) dial(call *standin.Call) (*ssh.Client, error) {
	config := &ssh.ClientConfig{User: c.user, Timeout: c.perDialTimeout}
	if c.hostKey != "" {
		pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.hostKey))
		if err != nil {
			return nil, fmt.Errorf("failed to parse host key: %w", err)
		}
		config.HostKeyCallback = ssh.FixedHostKey(pinned)
		config.HostKeyAlgorithms = []string{pinned.Type()}
	} else {
		config.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec // the official behaviour without hostKey
	}
	if c.privateKey != "" {
		signer, err := ssh.ParsePrivateKey([]byte(c.privateKey))
		if err != nil {
			return nil, err
		}
		config.Auth = append(config.Auth, ssh.PublicKeys(signer))
	}
	// As the official plugin (without agentSocketPath, which this stand-in refuses): the agent at
	// SSH_AUTH_SOCK, when that is set, offers its keys after the privateKey; an agent that cannot be
	// reached fails the connection.
	if socket := os.Getenv("SSH_AUTH_SOCK"); socket != "" {
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		config.Auth = append(config.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	endpoint := net.JoinHostPort(c.host, strconv.Itoa(c.port))
	pause := 100 * time.Millisecond
	for dials := 1; ; dials++ {
		client, err := ssh.Dial("tcp", endpoint, config)
		if err == nil {
			return client, nil
		}
		// As the official plugin counts: the dial after the limit-th failure is the last.
		if c.dialErrorLimit > -1 && dials > c.dialErrorLimit {
			return nil, fmt.Errorf("after %d failed attempts: %w", dials-1, err)
		}
		limit := "inf"
		if c.dialErrorLimit > -1 {
			limit = strconv.Itoa(c.dialErrorLimit)
		}
		call.Status(fmt.Sprintf("Dial %d/%s failed: retrying (stand-in)", dials, limit))
		time.Sleep(pause)
		pause = min(time.Duration(float64(pause)*1.5), 5*time.Second)
	}
}
