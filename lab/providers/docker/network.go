package main

import (
	"fmt"
	"net/http"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"twister2-cluster/lab/providers/internal/standin"
)

// network is docker:index/network:Network for the properties this project uses.
type network struct{}

var networkKeys = []string{"name", "driver", "attachable", "ipamConfigs", "options"}

func (network) Check(news resource.PropertyMap) (resource.PropertyMap, []standin.Failure) {
	checked := standin.Copy(news)
	failures := standin.Unknown(checked, "", networkKeys...)
	if v, ok := checked["ipamConfigs"]; ok && v.IsArray() {
		for i, c := range v.ArrayValue() {
			if c.IsObject() {
				failures = append(failures, standin.Unknown(c.ObjectValue(), fmt.Sprintf("ipamConfigs[%d]", i), "subnet")...)
			}
		}
	}
	if _, ok := checked["name"]; !ok {
		failures = append(failures, standin.Failure{Property: "name", Reason: "this stand-in needs an explicit name"})
	}
	return checked, failures
}

// Replaces: the official provider recreates a network for any change of these.
func (network) Replaces(resource.PropertyKey) bool { return true }

type engineNetwork struct {
	ID, Name, Driver, Scope string
	Attachable, Internal    bool
	IPAM                    struct {
		Driver string
		Config []struct{ Subnet, Gateway string }
	}
	Options map[string]string
}

func (network) Create(c *standin.Call, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	if preview {
		state := standin.Copy(inputs)
		state["scope"], state["internal"], state["ipamDriver"] = standin.Computed(), standin.Computed(), standin.Computed()
		return "", state, nil
	}
	name, _ := standin.String(inputs, "name")
	driver, _ := standin.String(inputs, "driver")
	body := map[string]any{
		"Name": name, "Driver": driver, "Attachable": standin.Bool(inputs, "attachable", false),
		"CheckDuplicate": true, "Options": stringMap(inputs["options"]),
	}
	var configs []map[string]string
	if v, ok := inputs["ipamConfigs"]; ok && v.IsArray() {
		for _, cfg := range v.ArrayValue() {
			if subnet, ok := standin.String(cfg.ObjectValue(), "subnet"); ok {
				configs = append(configs, map[string]string{"Subnet": subnet})
			}
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
	_, state, err := network{}.Read(c, created.ID, inputs, inputs)
	return created.ID, state, err
}

// Read asks the engine for the network; one that is gone reads as deleted.
func (network) Read(_ *standin.Call, id string, state, _ resource.PropertyMap) (string, resource.PropertyMap, error) {
	var n engineNetwork
	status, err := theEngine.api(http.MethodGet, "/networks/"+id, nil, &n)
	if status == http.StatusNotFound {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	out := standin.Copy(state)
	out["name"] = resource.NewStringProperty(n.Name)
	out["driver"] = resource.NewStringProperty(n.Driver)
	out["attachable"] = resource.NewBoolProperty(n.Attachable)
	out["internal"] = resource.NewBoolProperty(n.Internal)
	out["scope"] = resource.NewStringProperty(n.Scope)
	out["ipamDriver"] = resource.NewStringProperty(n.IPAM.Driver)
	var configs []resource.PropertyValue
	for _, cfg := range n.IPAM.Config {
		m := resource.PropertyMap{"subnet": resource.NewStringProperty(cfg.Subnet)}
		if cfg.Gateway != "" {
			m["gateway"] = resource.NewStringProperty(cfg.Gateway)
		}
		configs = append(configs, resource.NewObjectProperty(m))
	}
	out["ipamConfigs"] = resource.NewArrayProperty(configs)
	options := resource.PropertyMap{}
	for k, v := range n.Options {
		options[resource.PropertyKey(k)] = resource.NewStringProperty(v)
	}
	out["options"] = resource.NewObjectProperty(options)
	return id, out, nil
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

func stringMap(v resource.PropertyValue) map[string]string {
	out := map[string]string{}
	if v.IsObject() {
		for k, val := range v.ObjectValue() {
			if val.IsString() {
				out[string(k)] = val.StringValue()
			}
		}
	}
	return out
}
