// pulumi-resource-command: the lab's stand-in for Pulumi's command provider (pulumi/pulumi-command),
// implementing command:remote:Command and command:remote:CopyToRemote as far as this project uses
// them, with the official plugin's behaviour. See ../README.md.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"twister2-cluster/lab/providers/internal/standin"
)

var version = "1.2.1" // set by the build from the pinned @pulumi/command

func main() {
	standin.Main(&standin.Server{
		Name:    "command",
		Version: version,
		Resources: map[string]standin.Resource{
			"command:remote:Command":      command{},
			"command:remote:CopyToRemote": copyToRemote{},
		},
	})
}

type command struct{}

var commandKeys = []string{"connection", "create", "update", "delete", "stdin", "logging", "triggers", "addPreviousOutputInEnv"}

func (command) Check(news resource.PropertyMap) (resource.PropertyMap, []standin.Failure) {
	checked := standin.Copy(news)
	failures := standin.Unknown(checked, "", commandKeys...)
	failures = append(failures, checkConnection(checked)...)
	if logging, ok := standin.String(checked, "logging"); ok {
		switch logging {
		case "stdout", "stderr", "stdoutAndStderr", "none":
		default:
			failures = append(failures, standin.Failure{Property: "logging", Reason: fmt.Sprintf("logging %q is not one of stdout, stderr, stdoutAndStderr, none", logging)})
		}
	}
	return checked, failures
}

// Replaces: only triggers replace (replaceOnChanges); any other change is an update.
func (command) Replaces(key resource.PropertyKey) bool { return key == "triggers" }

func (command) Create(c *standin.Call, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	id, err := resource.NewUniqueHex(c.Name, 8, 0)
	if err != nil {
		return "", nil, err
	}
	state := standin.Copy(inputs)
	if preview {
		state["stdout"], state["stderr"] = standin.Computed(), standin.Computed()
		return id, state, nil
	}
	state["stdout"], state["stderr"] = resource.NewStringProperty(""), resource.NewStringProperty("")
	if create, ok := standin.String(inputs, "create"); ok {
		if err := run(c, state, create); err != nil {
			return "", nil, err
		}
	}
	return id, state, nil
}

// Read keeps the state and inputs as they are (the official has no Read of its own).
func (command) Read(_ *standin.Call, id string, state, inputs resource.PropertyMap) (string, resource.PropertyMap, resource.PropertyMap, error) {
	return id, state, inputs, nil
}

// Update runs `update` if set, else `create`, else nothing; stdout and stderr stay as they were
// until a command runs.
func (command) Update(c *standin.Call, _ string, olds, news resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	state := standin.Copy(news)
	state["stdout"], state["stderr"] = olds["stdout"], olds["stderr"]
	if preview {
		if changedOrUnknown(olds, news) {
			state["stdout"], state["stderr"] = standin.Computed(), standin.Computed()
		}
		return state, nil
	}
	cmd, ok := standin.String(news, "update")
	if !ok {
		cmd, ok = standin.String(news, "create")
	}
	if ok {
		if err := run(c, state, cmd); err != nil {
			return nil, err
		}
	}
	return state, nil
}

// changedOrUnknown is the official rule for stdout and stderr in an update's preview: unknown when an
// input is unknown or differs from the state last deployed.
func changedOrUnknown(olds, news resource.PropertyMap) bool {
	for _, key := range commandKeys {
		k := resource.PropertyKey(key)
		v := news[k]
		if standin.Plain(v).IsComputed() {
			return true
		}
		if old, has := olds[k]; has && !old.DeepEquals(v) {
			return true
		}
	}
	return false
}

// Delete runs `delete` with the state last deployed; without it nothing is dialled.
func (command) Delete(c *standin.Call, _ string, state resource.PropertyMap) error {
	cmd, ok := standin.String(state, "delete")
	if !ok {
		return nil
	}
	return run(c, state, cmd)
}

// run runs cmd on the state's connection and records stdout and stderr in the state.
func run(c *standin.Call, state resource.PropertyMap, cmd string) error {
	client, err := connectionOf(state).dial(c)
	if err != nil {
		return err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return err
	}
	defer session.Close()

	if standin.Bool(state, "addPreviousOutputInEnv", true) {
		for name, key := range map[string]resource.PropertyKey{"PULUMI_COMMAND_STDOUT": "stdout", "PULUMI_COMMAND_STDERR": "stderr"} {
			if v, ok := standin.String(state, string(key)); ok && v != "" {
				if err := session.Setenv(name, v); err != nil {
					c.Warn(fmt.Sprintf("Unable to set '%s'. This only works if your SSH server is configured to accept these variables via AcceptEnv. (stand-in)", name))
				}
			}
		}
	}
	if stdin, ok := standin.String(state, "stdin"); ok && stdin != "" {
		session.Stdin = strings.NewReader(stdin)
	}

	logging, _ := standin.String(state, "logging")
	var stdout, stderr, combined lockedBuffer
	lines := newLineLogger(c)
	outs := []io.Writer{&stdout, &combined}
	errs := []io.Writer{&stderr, &combined}
	if logging == "" || logging == "stdout" || logging == "stdoutAndStderr" {
		outs = append(outs, lines)
	}
	if logging == "" || logging == "stderr" || logging == "stdoutAndStderr" {
		errs = append(errs, lines)
	}
	session.Stdout, session.Stderr = io.MultiWriter(outs...), io.MultiWriter(errs...)
	err = session.Run(cmd)
	lines.Close()
	if err != nil {
		return fmt.Errorf("%w: running %q:\n%s", err, cmd, combined.String())
	}
	state["stdout"] = resource.NewStringProperty(strings.TrimSuffix(stdout.String(), "\n"))
	state["stderr"] = resource.NewStringProperty(strings.TrimSuffix(stderr.String(), "\n"))
	return nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineLogger shows each line written to it as a status line of the resource.
type lineLogger struct {
	w    *io.PipeWriter
	done chan struct{}
}

func newLineLogger(c *standin.Call) *lineLogger {
	r, w := io.Pipe()
	l := &lineLogger{w: w, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			c.Status(scanner.Text())
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return l
}

func (l *lineLogger) Write(p []byte) (int, error) { return l.w.Write(p) }

func (l *lineLogger) Close() {
	_ = l.w.Close()
	<-l.done
}
