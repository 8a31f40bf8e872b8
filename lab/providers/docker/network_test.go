package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

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

func TestNetworkComparesInputsWithoutWhatTheBridgeFillsIn(t *testing.T) {
	checked, _ := network{}.Check(Props(t, overlayInputs))
	for name, old := range map[string]string{
		"an earlier stand-in's": overlayInputs, "refreshed by the official": officialReadInputs, "checked": officialCheck,
	} {
		if d := (network{}).Comparable(Props(t, old)).Diff((network{}).Comparable(checked)); d != nil {
			t.Errorf("inputs %s differ: %v", name, d.Keys())
		}
	}
	other, _ := network{}.Check(Props(t, strings.Replace(overlayInputs, "10.78.0.0/24", "10.79.0.0/24", 1)))
	if (network{}).Comparable(checked).Diff((network{}).Comparable(other)) == nil {
		t.Error("another subnet compares equal")
	}
}

func resourceMap(m map[resource.PropertyKey]resource.PropertyValue, keys ...resource.PropertyKey) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}
