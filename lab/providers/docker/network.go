package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"twister2-cluster/lab/providers/internal/standin"
)

// network is docker:index/network:Network for the properties this project uses. pulumi-docker bridges
// the Terraform provider's docker_network (kreuzwerker/terraform-provider-docker v3.9.0); its checked
// inputs and state have the bridge's shape, which this reproduces.
type network struct{}

var networkKeys = []string{"name", "driver", "attachable", "ipamConfigs", "options"}

// The bridge's reserved keys: the inputs it filled from the schema's defaults, and the Terraform state's
// schema version and how the state maps to Terraform's (see rawStateDelta).
const (
	defaultsKey = "__defaults"
	metaKey     = "__meta"
	deltaKey    = "__pulumi_raw_state_delta"
)

// Check returns the inputs as the bridge's Check does: ipamDriver filled with the schema's default
// (and named in __defaults), and each ipamConfigs element given an empty __defaults.
func (network) Check(news resource.PropertyMap) (resource.PropertyMap, []standin.Failure) {
	checked := standin.Copy(news)
	failures := standin.Unknown(checked, "", networkKeys...)
	if v, ok := checked["ipamConfigs"]; ok && v.IsArray() {
		configs := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, c := range v.ArrayValue() {
			if c.IsObject() {
				failures = append(failures, standin.Unknown(c.ObjectValue(), fmt.Sprintf("ipamConfigs[%d]", i), "subnet", "gateway")...)
				elem := c.ObjectValue().Copy()
				elem[defaultsKey] = resource.NewArrayProperty([]resource.PropertyValue{})
				c = resource.NewObjectProperty(elem)
			}
			configs[i] = c
		}
		checked["ipamConfigs"] = resource.NewArrayProperty(configs)
	}
	if _, ok := checked["name"]; !ok {
		failures = append(failures, standin.Failure{Property: "name", Reason: "this stand-in needs an explicit name"})
	}
	checked["ipamDriver"] = resource.NewStringProperty("default")
	checked[defaultsKey] = resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("ipamDriver")})
	return checked, failures
}

// Replaces: the official provider recreates a network for any change of these.
func (network) Replaces(resource.PropertyKey) bool { return true }

// Compared is what the official plugin's Diff compares: the bridge plans from the stored state against
// the checked inputs, as Terraform's schema of docker_network has it. name and ipamDriver (with its
// default "default") always count; attachable (Optional, not Computed) counts with false for unset;
// driver, options and ipamConfigs (Optional+Computed) count only when the inputs give them. A given
// options map then differs from the state's by any key either lacks (so the engine's
// com.docker.network.driver.overlay.vxlanid_list in the state, beside options.encrypted only, is a
// change), and a given ipamConfigs set by any element's subnet, ipRange, gateway or auxAddress, unset
// fields being "" (so the gateway a refresh read, where the inputs set none, is a change). A map or set
// the inputs do not give is no change whatever the state holds.
func (network) Compared(state, news resource.PropertyMap) (before, after resource.PropertyMap) {
	before, after = resource.PropertyMap{}, resource.PropertyMap{}
	both := func(k resource.PropertyKey, def resource.PropertyValue, norm func(resource.PropertyValue) resource.PropertyValue) {
		before[k], after[k] = norm(orDefault(state[k], def)), norm(orDefault(news[k], def))
	}
	same := func(v resource.PropertyValue) resource.PropertyValue { return v }
	both("name", resource.NewStringProperty(""), same)
	both("ipamDriver", resource.NewStringProperty("default"), same)
	both("attachable", resource.NewBoolProperty(false), same)
	for k, norm := range map[resource.PropertyKey]func(resource.PropertyValue) resource.PropertyValue{
		"driver": same, "options": same, "ipamConfigs": comparableIpamConfigs,
	} {
		if v, given := news[k]; given && !v.IsNull() {
			both(k, resource.NewNullProperty(), norm)
		}
	}
	return before, after
}

// orDefault is v without secrets, or def when v is absent or null.
func orDefault(v, def resource.PropertyValue) resource.PropertyValue {
	if v = plain(v); v.IsNull() {
		return def
	}
	return v
}

// plain is v with every secret within it unwrapped (the bridge's plan sees no secrets).
func plain(v resource.PropertyValue) resource.PropertyValue {
	v = standin.Plain(v)
	switch {
	case v.IsObject():
		out := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			out[k] = plain(e)
		}
		return resource.NewObjectProperty(out)
	case v.IsArray():
		out := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = plain(e)
		}
		return resource.NewArrayProperty(out)
	}
	return v
}

// comparableIpamConfigs is an ipamConfigs set as Terraform compares its elements: every field, "" (or
// an empty auxAddress) when unset, in an order of their own (a set's order does not count); the
// bridge's __defaults are left out.
func comparableIpamConfigs(v resource.PropertyValue) resource.PropertyValue {
	if !v.IsArray() {
		return v
	}
	type keyed struct {
		key  string
		elem resource.PropertyValue
	}
	var elems []keyed
	for _, c := range v.ArrayValue() {
		if c.IsObject() {
			m := c.ObjectValue()
			elem := resource.PropertyMap{}
			for _, f := range []resource.PropertyKey{"subnet", "ipRange", "gateway"} {
				elem[f] = orDefault(m[f], resource.NewStringProperty(""))
			}
			elem["auxAddress"] = orDefault(m["auxAddress"], resource.NewObjectProperty(resource.PropertyMap{}))
			c = resource.NewObjectProperty(elem)
		}
		key, _ := json.Marshal(c.Mappable())
		elems = append(elems, keyed{string(key), c})
	}
	sort.SliceStable(elems, func(i, j int) bool { return elems[i].key < elems[j].key })
	out := make([]resource.PropertyValue, len(elems))
	for i, e := range elems {
		out[i] = e.elem
	}
	return resource.NewArrayProperty(out)
}

type engineNetwork struct {
	ID, Name, Driver, Scope                   string
	Attachable, Internal, Ingress, EnableIPv6 bool
	IPAM                                      struct {
		Driver  string
		Options map[string]string
		Config  []struct {
			Subnet, IPRange, Gateway string
			AuxAddress               map[string]string `json:"AuxiliaryAddresses"`
		}
	}
	Options map[string]string
	Labels  map[string]string
}

func (network) Create(c *standin.Call, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	if preview {
		return "", previewState(inputs), nil
	}
	name, _ := standin.String(inputs, "name")
	driver, _ := standin.String(inputs, "driver")
	body := map[string]any{
		"Name": name, "Driver": driver, "Attachable": standin.Bool(inputs, "attachable", false),
		"CheckDuplicate": true, "Options": stringMap(inputs["options"]),
	}
	var configs []map[string]string
	for _, cfg := range ipamConfigs(inputs) {
		// As the Docker client sends an IPAMConfig: the fields that are set.
		config := map[string]string{}
		for field, key := range map[string]string{"Subnet": "subnet", "Gateway": "gateway"} {
			if v, ok := standin.String(cfg, key); ok && v != "" {
				config[field] = v
			}
		}
		if len(config) > 0 {
			configs = append(configs, config)
		}
	}
	body["IPAM"] = map[string]any{"Driver": "default", "Config": configs}
	c.Status(fmt.Sprintf("creating network %s on %s (stand-in)", name, theEngine.host.Hostname()))
	var created struct {
		ID string `json:"Id"`
	}
	if _, err := theEngine.api(http.MethodPost, "/networks/create", body, &created); err != nil {
		return "", nil, err
	}
	n, err := inspect(created.ID)
	if err != nil {
		return "", nil, err
	}
	if n == nil {
		return "", nil, fmt.Errorf("network %s is gone right after its creation (stand-in)", created.ID)
	}
	state := stateOf(created.ID, n, false)
	// Terraform keeps a set it planned in full (ipamConfigs as given, a gateway not given "") rather
	// than the one read back after the create, and ipamOptions as planned (null); the other attributes,
	// options among them, are what the engine reports (its vxlanid_list beside the options given).
	if _, given := inputs["ipamConfigs"]; given {
		state["ipamConfigs"] = plannedIpamConfigs(inputs)
	}
	state["ipamOptions"] = resource.NewNullProperty()
	state[deltaKey] = rawStateDelta(state)
	return created.ID, state, nil
}

// Read asks the engine for the network; one that is gone reads as deleted. The inputs are refreshed as
// the bridge refreshes them: the values read back, at the paths the inputs already had.
func (network) Read(_ *standin.Call, id string, _, inputs resource.PropertyMap) (string, resource.PropertyMap, resource.PropertyMap, error) {
	n, err := inspect(id)
	if err != nil || n == nil {
		return "", nil, nil, err
	}
	state := stateOf(id, n, true)
	state[deltaKey] = rawStateDelta(state)
	return id, state, refreshInputs(inputs, state), nil
}

func inspect(id string) (*engineNetwork, error) {
	var n engineNetwork
	status, err := theEngine.api(http.MethodGet, "/networks/"+id, nil, &n)
	if status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// stateOf is the bridge's state of a network as the engine describes it.
func stateOf(id string, n *engineNetwork, read bool) resource.PropertyMap {
	configs := []resource.PropertyValue{}
	for _, cfg := range n.IPAM.Config {
		aux := cfg.AuxAddress
		if aux == nil {
			aux = map[string]string{}
		}
		configs = append(configs, ipamConfig(cfg.Subnet, cfg.IPRange, cfg.Gateway, aux))
	}
	labels := []resource.PropertyValue{}
	for k, v := range n.Labels {
		labels = append(labels, resource.NewObjectProperty(resource.PropertyMap{
			"label": resource.NewStringProperty(k), "value": resource.NewStringProperty(v)}))
	}
	ipamOptions := resource.NewNullProperty()
	if read {
		ipamOptions = stringsObject(n.IPAM.Options)
	}
	return resource.PropertyMap{
		"id":             resource.NewStringProperty(id),
		metaKey:          resource.NewStringProperty(`{"schema_version":"1"}`),
		"name":           resource.NewStringProperty(n.Name),
		"driver":         resource.NewStringProperty(n.Driver),
		"attachable":     resource.NewBoolProperty(n.Attachable),
		"internal":       resource.NewBoolProperty(n.Internal),
		"ingress":        resource.NewBoolProperty(n.Ingress),
		"ipv6":           resource.NewBoolProperty(n.EnableIPv6),
		"checkDuplicate": resource.NewNullProperty(),
		"scope":          resource.NewStringProperty(n.Scope),
		"ipamDriver":     resource.NewStringProperty(n.IPAM.Driver),
		"ipamOptions":    ipamOptions,
		"ipamConfigs":    resource.NewArrayProperty(configs),
		"labels":         resource.NewArrayProperty(labels),
		"options":        stringsObject(n.Options),
	}
}

// ipamConfig is an element of ipamConfigs as the bridge records it: every field, "" when unset, and
// auxAddress null (as planned) or the engine's map.
func ipamConfig(subnet, ipRange, gateway string, aux map[string]string) resource.PropertyValue {
	auxAddress := resource.NewNullProperty()
	if aux != nil {
		auxAddress = stringsObject(aux)
	}
	return resource.NewObjectProperty(resource.PropertyMap{
		"subnet": resource.NewStringProperty(subnet), "ipRange": resource.NewStringProperty(ipRange),
		"gateway": resource.NewStringProperty(gateway), "auxAddress": auxAddress,
	})
}

// previewState is what the bridge previews for a new network: the inputs, what the engine decides
// unknown, what nothing sets null.
func previewState(inputs resource.PropertyMap) resource.PropertyMap {
	state := resource.PropertyMap{
		"id": standin.Computed(), "internal": standin.Computed(), "scope": standin.Computed(),
		"attachable": resource.NewNullProperty(), "ingress": resource.NewNullProperty(), "ipv6": resource.NewNullProperty(),
		"checkDuplicate": resource.NewNullProperty(), "ipamOptions": resource.NewNullProperty(),
		"driver": standin.Computed(), "options": standin.Computed(), "ipamConfigs": standin.Computed(),
		"labels": resource.NewArrayProperty([]resource.PropertyValue{}), "ipamDriver": resource.NewStringProperty("default"),
	}
	for _, k := range []resource.PropertyKey{"name", "driver", "attachable", "options"} {
		if v, ok := inputs[k]; ok {
			state[k] = v
		}
	}
	if v, ok := inputs["ipamConfigs"]; ok && v.IsArray() {
		state["ipamConfigs"] = plannedIpamConfigs(inputs)
	}
	return state
}

// plannedIpamConfigs is the ipamConfigs set Terraform plans from the inputs: each element's subnet and
// gateway as given ("" when not), ipRange "", auxAddress null.
func plannedIpamConfigs(inputs resource.PropertyMap) resource.PropertyValue {
	var planned []resource.PropertyValue
	for _, cfg := range ipamConfigs(inputs) {
		elem := ipamConfig("", "", "", nil).ObjectValue()
		for _, k := range []resource.PropertyKey{"subnet", "gateway"} {
			if v := standin.Plain(cfg[k]); v.IsString() || v.IsComputed() {
				elem[k] = v
			}
		}
		planned = append(planned, resource.NewObjectProperty(elem))
	}
	return resource.NewArrayProperty(planned)
}

// rawStateDelta is the bridge's record of how this state differs from the Terraform state's own JSON
// (pulumi-terraform-bridge's RawStateDelta), for the properties a network has: ipamConfigs is
// ipam_config there, and each map, list and list element is marked as such.
func rawStateDelta(state resource.PropertyMap) resource.PropertyValue {
	obj := func(ps resource.PropertyMap) resource.PropertyValue {
		inner := resource.PropertyMap{}
		if len(ps) > 0 {
			inner["ps"] = resource.NewObjectProperty(ps)
		}
		return resource.NewObjectProperty(resource.PropertyMap{"obj": resource.NewObjectProperty(inner)})
	}
	mapDelta := resource.NewObjectProperty(resource.PropertyMap{"map": resource.NewObjectProperty(resource.PropertyMap{})})
	arr := func(elems resource.PropertyMap) resource.PropertyValue {
		inner := resource.PropertyMap{}
		if len(elems) > 0 {
			inner["el"] = resource.NewObjectProperty(elems)
		}
		return resource.NewObjectProperty(resource.PropertyMap{"arr": resource.NewObjectProperty(inner)})
	}
	ps := resource.PropertyMap{}
	for _, k := range []resource.PropertyKey{"options", "ipamOptions"} {
		if state[k].IsObject() {
			ps[k] = mapDelta
		}
	}
	if state["labels"].IsArray() {
		ps["labels"] = arr(nil)
	}
	if v := state["ipamConfigs"]; v.IsArray() {
		elems := resource.PropertyMap{}
		for i, c := range v.ArrayValue() {
			elem := resource.PropertyMap{}
			if c.IsObject() && c.ObjectValue()["auxAddress"].IsObject() {
				elem["auxAddress"] = mapDelta
			}
			elems[resource.PropertyKey(strconv.Itoa(i))] = obj(elem)
		}
		ps["ipamConfigs"] = arr(elems)
	}
	delta := obj(ps)
	delta.ObjectValue()["obj"].ObjectValue()["renamed"] = resource.NewObjectProperty(resource.PropertyMap{
		"ipamConfigs": resource.NewStringProperty("ipam_config")})
	return delta
}

// refreshInputs keeps the inputs' paths with the values read back (the bridge's refresh), dropping
// what the state does not have, such as the ipamConfigs elements' __defaults.
func refreshInputs(inputs, state resource.PropertyMap) resource.PropertyMap {
	out := refreshObject(inputs, state)
	if v, ok := inputs[defaultsKey]; ok {
		out[defaultsKey] = v
	}
	return out
}

func refreshObject(inputs, state resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range inputs {
		if s, ok := state[k]; ok {
			out[k] = refreshValue(v, s)
		}
	}
	return out
}

func refreshValue(input, state resource.PropertyValue) resource.PropertyValue {
	switch {
	case input.IsObject() && state.IsObject():
		return resource.NewObjectProperty(refreshObject(input.ObjectValue(), state.ObjectValue()))
	case input.IsArray() && state.IsArray():
		var out []resource.PropertyValue
		for i, v := range input.ArrayValue() {
			if i < len(state.ArrayValue()) {
				out = append(out, refreshValue(v, state.ArrayValue()[i]))
			}
		}
		return resource.NewArrayProperty(out)
	case input.IsObject() || input.IsArray():
		return input
	default:
		return state
	}
}

func (network) Update(*standin.Call, string, resource.PropertyMap, resource.PropertyMap, bool) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("docker:Network is replaced on every change, never updated (stand-in)")
}

// Delete removes the network; one already gone counts as deleted.
func (network) Delete(c *standin.Call, id string, _ resource.PropertyMap) error {
	c.Status(fmt.Sprintf("removing network %s (stand-in)", id))
	status, err := theEngine.api(http.MethodDelete, "/networks/"+id, nil, nil)
	if status == http.StatusNotFound {
		return nil
	}
	return err
}

func ipamConfigs(inputs resource.PropertyMap) []resource.PropertyMap {
	var out []resource.PropertyMap
	if v := standin.Plain(inputs["ipamConfigs"]); v.IsArray() {
		for _, c := range v.ArrayValue() {
			if c := standin.Plain(c); c.IsObject() {
				out = append(out, c.ObjectValue())
			}
		}
	}
	return out
}

func stringsObject(m map[string]string) resource.PropertyValue {
	out := resource.PropertyMap{}
	for k, v := range m {
		out[resource.PropertyKey(k)] = resource.NewStringProperty(v)
	}
	return resource.NewObjectProperty(out)
}

func stringMap(v resource.PropertyValue) map[string]string {
	out := map[string]string{}
	if v := standin.Plain(v); v.IsObject() {
		for k, val := range v.ObjectValue() {
			if s := standin.Plain(val); s.IsString() {
				out[string(k)] = s.StringValue()
			}
		}
	}
	return out
}
