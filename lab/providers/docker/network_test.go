package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"

	"twister2-cluster/lab/providers/internal/standin"
	. "twister2-cluster/lab/providers/internal/standintest"
)

// The program's overlay: a subnet, no gateway, encrypted.
const overlayInputs = `{"name":"mesos-overlay","driver":"overlay","attachable":true,"ipamConfigs":[{"subnet":"10.78.0.0/24"}],"options":{"encrypted":""}}`

// What Docker answers for it: a gateway the program never set, and the overlay's VXLAN id.
const engineOverlay = `{"Name":"mesos-overlay","Id":"n0123","Scope":"swarm","Driver":"overlay","EnableIPv6":false,
	"IPAM":{"Driver":"default","Options":null,"Config":[{"Subnet":"10.78.0.0/24","Gateway":"10.78.0.1"}]},
	"Internal":false,"Attachable":true,"Ingress":false,"Containers":null,
	"Options":{"com.docker.network.driver.overlay.vxlanid_list":"4097","encrypted":""},"Labels":{}}`

// What pulumi-docker 4.11.2 (the bridge over terraform-provider-docker v3.9.0) answers, run locally
// against a fake engine giving engineOverlay.
const (
	officialCheck = `{"__defaults":["ipamDriver"],"attachable":true,"driver":"overlay","ipamConfigs":[{"__defaults":[],"subnet":"10.78.0.0/24"}],
		"ipamDriver":"default","name":"mesos-overlay","options":{"encrypted":""}}`
	officialCreate = `{"__meta":"{\"schema_version\":\"1\"}",
		"__pulumi_raw_state_delta":{"obj":{"ps":{"ipamConfigs":{"arr":{"el":{"0":{"obj":{}}}}},"labels":{"arr":{}},"options":{"map":{}}},"renamed":{"ipamConfigs":"ipam_config"}}},
		"attachable":true,"checkDuplicate":null,"driver":"overlay","id":"n0123","ingress":false,"internal":false,
		"ipamConfigs":[{"auxAddress":null,"gateway":"","ipRange":"","subnet":"10.78.0.0/24"}],
		"ipamDriver":"default","ipamOptions":null,"ipv6":false,"labels":[],"name":"mesos-overlay",
		"options":{"com.docker.network.driver.overlay.vxlanid_list":"4097","encrypted":""},"scope":"swarm"}`
	officialRead = `{"__meta":"{\"schema_version\":\"1\"}",
		"__pulumi_raw_state_delta":{"obj":{"ps":{"ipamConfigs":{"arr":{"el":{"0":{"obj":{"ps":{"auxAddress":{"map":{}}}}}}}},"ipamOptions":{"map":{}},"labels":{"arr":{}},"options":{"map":{}}},"renamed":{"ipamConfigs":"ipam_config"}}},
		"attachable":true,"checkDuplicate":null,"driver":"overlay","id":"n0123","ingress":false,"internal":false,
		"ipamConfigs":[{"auxAddress":{},"gateway":"10.78.0.1","ipRange":"","subnet":"10.78.0.0/24"}],
		"ipamDriver":"default","ipamOptions":{},"ipv6":false,"labels":[],"name":"mesos-overlay",
		"options":{"com.docker.network.driver.overlay.vxlanid_list":"4097","encrypted":""},"scope":"swarm"}`
	officialReadInputs = `{"__defaults":["ipamDriver"],"attachable":true,"driver":"overlay","ipamConfigs":[{"subnet":"10.78.0.0/24"}],
		"ipamDriver":"default","name":"mesos-overlay","options":{"encrypted":""}}`
)

// fakeEngine serves the Engine API calls a network makes, on loopback, answering inspections with
// network; it records the create request's body.
func fakeEngine(t *testing.T, network string) *map[string]any {
	created := map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/networks/create"):
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &created)
			_, _ = w.Write([]byte(`{"Id":"n0123"}`))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/networks/n0123"):
			_, _ = w.Write([]byte(network))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"not found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	theEngine = &engine{host: &url.URL{Scheme: "ssh", Host: "127.0.0.1"}, transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		r.URL.Host = target.Host
		return http.DefaultTransport.RoundTrip(r)
	})}
	return &created
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNetworkCheckHasTheBridgeShape(t *testing.T) {
	checked, failures := network{}.Check(Props(t, overlayInputs))
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	Equal(t, "checked inputs", checked, officialCheck)
}

func TestNetworkCreateRecordsThePlannedIpamConfigsNotTheGateway(t *testing.T) {
	created := fakeEngine(t, engineOverlay)
	checked, _ := network{}.Check(Props(t, overlayInputs))
	id, state, err := network{}.Create(&standin.Call{}, checked, false)
	if err != nil {
		t.Fatal(err)
	}
	if id != "n0123" {
		t.Errorf("id %q", id)
	}
	Equal(t, "state", state, officialCreate)
	ipam, _ := json.Marshal((*created)["IPAM"])
	if string(ipam) != `{"Config":[{"Subnet":"10.78.0.0/24"}],"Driver":"default"}` {
		t.Errorf("IPAM asked for: %s", ipam)
	}
}

func TestNetworkWithoutIpamConfigsRecordsTheEngines(t *testing.T) {
	fakeEngine(t, strings.Replace(engineOverlay, `"10.78.0.0/24"`, `"10.0.1.0/24"`, 1))
	checked, _ := network{}.Check(Props(t, `{"name":"mesos-overlay","driver":"overlay","attachable":true}`))
	Equal(t, "checked inputs", checked, `{"__defaults":["ipamDriver"],"attachable":true,"driver":"overlay","ipamDriver":"default","name":"mesos-overlay"}`)
	_, state, err := network{}.Create(&standin.Call{}, checked, false)
	if err != nil {
		t.Fatal(err)
	}
	Equal(t, "ipamConfigs", resourceMap(state, "ipamConfigs", deltaKey),
		`{"ipamConfigs":[{"auxAddress":{},"gateway":"10.78.0.1","ipRange":"","subnet":"10.0.1.0/24"}],
		"__pulumi_raw_state_delta":{"obj":{"ps":{"ipamConfigs":{"arr":{"el":{"0":{"obj":{"ps":{"auxAddress":{"map":{}}}}}}}},"labels":{"arr":{}},"options":{"map":{}}},"renamed":{"ipamConfigs":"ipam_config"}}}}`)
}

func TestNetworkReadRecordsWhatTheEngineSays(t *testing.T) {
	fakeEngine(t, engineOverlay)
	checked, _ := network{}.Check(Props(t, overlayInputs))
	id, state, inputs, err := network{}.Read(&standin.Call{}, "n0123", Props(t, officialCreate), checked)
	if err != nil {
		t.Fatal(err)
	}
	if id != "n0123" {
		t.Errorf("id %q", id)
	}
	Equal(t, "state", state, officialRead)
	Equal(t, "inputs", inputs, officialReadInputs)
	if id, _, _, err := (network{}).Read(&standin.Call{}, "gone", state, inputs); id != "" || err != nil {
		t.Errorf("a network that is gone: id %q, err %v", id, err)
	}
}

// The program's overlay with what the engine decides pinned: the VXLAN id and the gateway.
const pinnedInputs = `{"name":"mesos-overlay","driver":"overlay","attachable":true,
	"ipamConfigs":[{"subnet":"10.78.0.0/24","gateway":"10.78.0.1"}],
	"options":{"encrypted":"","com.docker.network.driver.overlay.vxlanid_list":"4097"}}`

// diffNetwork is the stand-in's Diff, through its server as the engine calls it, of the program's
// inputs (checked) against a stored state, the inputs last deployed being oldInputs (checked).
func diffNetwork(t *testing.T, oldInputs string, state resource.PropertyMap, inputs string) *pulumirpc.DiffResponse {
	t.Helper()
	opts := plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true}
	marshal := func(m resource.PropertyMap) *structpb.Struct {
		s, err := plugin.MarshalProperties(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	checked := func(inputs string) *structpb.Struct {
		c, failures := network{}.Check(Props(t, inputs))
		if len(failures) > 0 {
			t.Fatal(failures)
		}
		return marshal(c)
	}
	s := &standin.Server{Name: "docker", Version: version,
		Resources: map[string]standin.Resource{"docker:index/network:Network": network{}}}
	resp, err := s.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: "urn:pulumi:lab::twister2-cluster::docker:index/network:Network::mesos-overlay", Id: "n0123",
		Olds: marshal(state), OldInputs: checked(oldInputs), News: checked(inputs)})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// wantNoDiff and wantReplace check a Diff's answer: no change, or a replacement for exactly keys.
func wantNoDiff(t *testing.T, what string, d *pulumirpc.DiffResponse) {
	t.Helper()
	if d.Changes != pulumirpc.DiffResponse_DIFF_NONE || len(d.Diffs) > 0 || len(d.Replaces) > 0 {
		t.Errorf("%s: %v, diffs %v, replaces %v; want no diff", what, d.Changes, d.Diffs, d.Replaces)
	}
}

func wantReplace(t *testing.T, what string, d *pulumirpc.DiffResponse, keys ...string) {
	t.Helper()
	if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(d.Replaces, ",") != strings.Join(keys, ",") {
		t.Errorf("%s: %v, replaces %v; want a replacement for %v", what, d.Changes, d.Replaces, keys)
		return
	}
	for _, k := range keys {
		if kind := d.DetailedDiff[k].GetKind(); kind != pulumirpc.PropertyDiff_UPDATE_REPLACE {
			t.Errorf("%s: %s is %v, want UPDATE_REPLACE", what, k, kind)
		}
	}
}

// As the official: options {encrypted: ""} against a state whose options also hold the engine's
// vxlanid_list is a change, on the very next up (the old inputs being the same).
func TestNetworkDiffOfOptionsAgainstTheStateReplaces(t *testing.T) {
	wantReplace(t, "repeat up", diffNetwork(t, overlayInputs, Props(t, officialCreate), overlayInputs), "options")
	wantReplace(t, "after a refresh", diffNetwork(t, overlayInputs, Props(t, officialRead), overlayInputs), "ipamConfigs", "options")
}

// With the VNI pinned the options equal the state's: no diff; encrypted changing either way replaces.
func TestNetworkDiffWithTheVNIPinned(t *testing.T) {
	vniOnly := strings.Replace(overlayInputs, `{"encrypted":""}`, `{"com.docker.network.driver.overlay.vxlanid_list":"4097"}`, 1)
	pinned := strings.Replace(vniOnly, `{"com.docker.network.driver.overlay.vxlanid_list"`, `{"encrypted":"","com.docker.network.driver.overlay.vxlanid_list"`, 1)
	wantNoDiff(t, "repeat up", diffNetwork(t, pinned, Props(t, officialCreate), pinned))
	wantReplace(t, "encrypted dropped", diffNetwork(t, pinned, Props(t, officialCreate), vniOnly), "options")
	unencrypted := Props(t, strings.Replace(officialCreate, `"4097","encrypted":""}`, `"4097"}`, 1))
	wantNoDiff(t, "unencrypted, repeat up", diffNetwork(t, vniOnly, unencrypted, vniOnly))
	wantReplace(t, "encrypted added", diffNetwork(t, vniOnly, unencrypted, pinned), "options")
}

// A subnet without a gateway equals a state with gateway "" (after a create), not one with the
// engine's gateway (after a refresh); with the gateway pinned, it equals the refreshed state.
func TestNetworkDiffOfIpamConfigsAgainstTheState(t *testing.T) {
	subnet := `{"name":"mesos-overlay","driver":"overlay","attachable":true,"ipamConfigs":[{"subnet":"10.78.0.0/24"}]}`
	gateway := strings.Replace(subnet, `"10.78.0.0/24"}`, `"10.78.0.0/24","gateway":"10.78.0.1"}`, 1)
	wantNoDiff(t, "after a create", diffNetwork(t, subnet, Props(t, officialCreate), subnet))
	wantReplace(t, "after a refresh", diffNetwork(t, subnet, Props(t, officialRead), subnet), "ipamConfigs")
	wantNoDiff(t, "gateway pinned, after a refresh", diffNetwork(t, subnet, Props(t, officialRead), gateway))
	wantReplace(t, "another subnet", diffNetwork(t, subnet, Props(t, officialCreate),
		strings.Replace(subnet, "10.78.0.0/24", "10.79.0.0/24", 1)), "ipamConfigs")
	wantReplace(t, "a gateway where the state has none", diffNetwork(t, subnet, Props(t, officialCreate), gateway), "ipamConfigs")
}

// options and ipamConfigs are Optional+Computed: not given, they are no change whatever the state holds.
func TestNetworkDiffOfOptionsNotGiven(t *testing.T) {
	unset := `{"name":"mesos-overlay","driver":"overlay","attachable":true,"ipamConfigs":[{"subnet":"10.78.0.0/24"}]}`
	wantNoDiff(t, "given -> unset", diffNetwork(t, overlayInputs, Props(t, officialCreate), unset))
	noIpam := `{"name":"mesos-overlay","driver":"overlay","attachable":true,"options":{"encrypted":""}}`
	wantReplace(t, "ipamConfigs unset, options still", diffNetwork(t, overlayInputs, Props(t, officialRead), noIpam), "options")
	unencrypted := Props(t, strings.Replace(officialCreate, `"4097","encrypted":""}`, `"4097"}`, 1))
	wantReplace(t, "unset -> given", diffNetwork(t, unset, unencrypted, overlayInputs), "options")
	wantReplace(t, "another name", diffNetwork(t, unset, Props(t, officialCreate),
		strings.Replace(unset, `"mesos-overlay"`, `"other"`, 1)), "name")
	wantReplace(t, "not attachable", diffNetwork(t, unset, Props(t, officialCreate),
		strings.Replace(unset, `,"attachable":true`, ``, 1)), "attachable")
}

// The program's pinned network, deployed by the stand-in: the gateway is sent and recorded as planned,
// the options as the engine reports them, and neither a repeat up nor one after a refresh changes it.
func TestNetworkWithItsGatewayAndVNIPinned(t *testing.T) {
	created := fakeEngine(t, engineOverlay)
	checked, failures := network{}.Check(Props(t, pinnedInputs))
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	Equal(t, "checked ipamConfigs", resourceMap(checked, "ipamConfigs"),
		`{"ipamConfigs":[{"__defaults":[],"gateway":"10.78.0.1","subnet":"10.78.0.0/24"}]}`)
	_, state, err := network{}.Create(&standin.Call{}, checked, false)
	if err != nil {
		t.Fatal(err)
	}
	ipam, _ := json.Marshal((*created)["IPAM"])
	if string(ipam) != `{"Config":[{"Gateway":"10.78.0.1","Subnet":"10.78.0.0/24"}],"Driver":"default"}` {
		t.Errorf("IPAM asked for: %s", ipam)
	}
	Equal(t, "state", state, strings.Replace(officialCreate, `"gateway":""`, `"gateway":"10.78.0.1"`, 1))
	wantNoDiff(t, "repeat up", diffNetwork(t, pinnedInputs, state, pinnedInputs))
	_, refreshed, _, err := network{}.Read(&standin.Call{}, "n0123", state, checked)
	if err != nil {
		t.Fatal(err)
	}
	wantNoDiff(t, "after a refresh", diffNetwork(t, pinnedInputs, refreshed, pinnedInputs))
	_, planned, _ := network{}.Create(&standin.Call{}, checked, true)
	Equal(t, "preview ipamConfigs", resourceMap(planned, "ipamConfigs"),
		`{"ipamConfigs":[{"auxAddress":null,"gateway":"10.78.0.1","ipRange":"","subnet":"10.78.0.0/24"}]}`)
}

func resourceMap(m map[resource.PropertyKey]resource.PropertyValue, keys ...resource.PropertyKey) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}
