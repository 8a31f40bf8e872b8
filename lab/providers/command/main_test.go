package main

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"twister2-cluster/lab/providers/internal/standin"
	. "twister2-cluster/lab/providers/internal/standintest"
)

// What pulumi-resource-command 1.2.1 answers (run locally against its Check and Create): the defaults
// filled in, the connection secret, each privateKey a secret within it, the proxy not.
const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

var (
	minimalInputs = `{"connection":{` + Secret + `,"value":{"host":"127.0.0.1"}},"create":"echo hi"}`
	minimalCheck  = `{"connection":{` + Secret + `,"value":{"dialErrorLimit":10,"host":"127.0.0.1","perDialTimeout":15,"port":22,"user":"root"}},"create":"echo hi"}`

	fullInputs = `{"connection":{` + Secret + `,"value":{"host":"127.0.0.1","port":2222,"user":"ops","privateKey":"KEY",
		"hostKey":"` + hostKey + `","dialErrorLimit":12,"perDialTimeout":10,"proxy":{"host":"127.0.0.1","privateKey":"PKEY"}}},
		"delete":"echo bye","addPreviousOutputInEnv":false,"logging":"stderr","stdin":{` + Secret + `,"value":"pw"},"triggers":["a",1]}`
	fullCheck = `{"connection":{` + Secret + `,"value":{"dialErrorLimit":12,"host":"127.0.0.1","hostKey":"` + hostKey + `",
		"perDialTimeout":10,"port":2222,"privateKey":{` + Secret + `,"value":"KEY"},
		"proxy":{"dialErrorLimit":10,"host":"127.0.0.1","perDialTimeout":15,"port":22,"privateKey":{` + Secret + `,"value":"PKEY"},"user":"root"},
		"user":"ops"}},"delete":"echo bye","addPreviousOutputInEnv":false,"logging":"stderr","stdin":{` + Secret + `,"value":"pw"},"triggers":["a",1]}`
)

func check(t *testing.T, r standin.Resource, inputs string) resource.PropertyMap {
	t.Helper()
	checked, failures := r.Check(Props(t, inputs))
	if len(failures) > 0 {
		t.Fatalf("check failures: %v", failures)
	}
	return checked
}

func TestCheckFillsDefaultsAndSecretsAsTheOfficial(t *testing.T) {
	Equal(t, "minimal connection", check(t, command{}, minimalInputs), minimalCheck)
	Equal(t, "full connection with proxy", check(t, command{}, fullInputs), fullCheck)
	// A connection the program did not mark secret is made secret all the same.
	Equal(t, "plain connection", check(t, command{}, `{"connection":{"host":"127.0.0.1"},"create":"echo hi"}`), minimalCheck)
	// Checking again what Check returned changes nothing (a converged stack previews no change).
	Equal(t, "checked again", check(t, command{}, fullCheck), fullCheck)
}

func TestCheckLeavesAnUnknownConnectionUnknownAndSecret(t *testing.T) {
	checked := check(t, command{}, `{"connection":`+Unknown+`}`)
	if v := checked["connection"]; !v.IsSecret() || !v.SecretValue().Element.IsComputed() {
		t.Errorf("connection: %v, want a secret unknown", v)
	}
}

func TestCheckRefusesWhatIsNotImplemented(t *testing.T) {
	_, failures := command{}.Check(Props(t, `{"connection":{"host":"h","password":"p"},"environment":{"A":"b"}}`))
	var props []string
	for _, f := range failures {
		props = append(props, f.Property)
	}
	if got := strings.Join(props, " "); got != "environment connection.password" {
		t.Errorf("failures on %q", got)
	}
}

func TestCreateEchoesTheCheckedInputsWithStdoutAndStderr(t *testing.T) {
	// No create command: nothing is dialled, as with the official.
	inputs := check(t, command{}, fullInputs)
	id, outputs, err := command{}.Create(&standin.Call{Name: "a"}, inputs, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "a") || len(id) != 9 {
		t.Errorf("id %q, want the name and 8 hex digits", id)
	}
	Equal(t, "outputs", outputs, strings.TrimSuffix(fullCheck, "}")+`,"stdout":"","stderr":""}`)
	_, preview, _ := command{}.Create(&standin.Call{Name: "a"}, inputs, true)
	Equal(t, "preview outputs", preview, strings.TrimSuffix(fullCheck, "}")+`,"stdout":`+Unknown+`,"stderr":`+Unknown+`}`)
}

func TestUpdatePreviewHasUnknownOutputsWhenAnInputChanged(t *testing.T) {
	olds := Props(t, strings.TrimSuffix(minimalCheck, "}")+`,"stdout":"o","stderr":"e"}`)
	same, err := command{}.Update(&standin.Call{}, "x", olds, check(t, command{}, minimalInputs), true)
	if err != nil {
		t.Fatal(err)
	}
	Equal(t, "unchanged", same, strings.TrimSuffix(minimalCheck, "}")+`,"stdout":"o","stderr":"e"}`)
	changed, _ := command{}.Update(&standin.Call{}, "x", olds, check(t, command{}, `{"connection":{"host":"127.0.0.1"},"create":"echo 2"}`), true)
	if !changed["stdout"].IsComputed() || !changed["stderr"].IsComputed() {
		t.Errorf("changed create: stdout %v, stderr %v, want unknown", changed["stdout"], changed["stderr"])
	}
}

func TestCopyToRemoteChecksTheConnectionAsTheCommand(t *testing.T) {
	inputs := `{"connection":{"host":"127.0.0.1"},"remotePath":"p","source":{"4dabf18193072939515e22adb298388d":"c44067f5952c0a294b673a41bacd8c17","path":"/etc/hostname"}}`
	checked := check(t, copyToRemote{}, inputs)
	Equal(t, "connection", resource.PropertyMap{"connection": checked["connection"]},
		`{"connection":{`+Secret+`,"value":{"dialErrorLimit":10,"host":"127.0.0.1","perDialTimeout":15,"port":22,"user":"root"}}}`)
}
