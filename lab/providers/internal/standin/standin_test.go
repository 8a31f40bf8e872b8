package standin

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestHelpersReadThroughSecrets(t *testing.T) {
	m := resource.PropertyMap{
		"s": resource.MakeSecret(resource.NewStringProperty("v")),
		"n": resource.MakeSecret(resource.NewNumberProperty(2)),
		"b": resource.MakeSecret(resource.NewBoolProperty(false)),
		"o": resource.MakeSecret(resource.NewObjectProperty(resource.PropertyMap{"k": resource.NewStringProperty("x")})),
	}
	if s, ok := String(m, "s"); !ok || s != "v" {
		t.Errorf("String: %q %v", s, ok)
	}
	if n, ok := Number(m, "n"); !ok || n != 2 {
		t.Errorf("Number: %v %v", n, ok)
	}
	if Bool(m, "b", true) {
		t.Error("Bool: true")
	}
	if o, ok := Object(m, "o"); !ok || o["k"].StringValue() != "x" {
		t.Errorf("Object: %v %v", o, ok)
	}
	if v := Secret(m["s"]); !v.IsSecret() || v.SecretValue().Element.IsSecret() {
		t.Errorf("Secret wraps a secret twice: %v", v)
	}
}

func TestDiffIsOfInputsAndSecretness(t *testing.T) {
	olds := resource.PropertyMap{"a": resource.NewObjectProperty(resource.PropertyMap{"k": resource.NewStringProperty("v")})}
	news := resource.PropertyMap{"a": resource.NewObjectProperty(resource.PropertyMap{"k": resource.MakeSecret(resource.NewStringProperty("v"))})}
	if d := diff(olds, olds, func(resource.PropertyKey) bool { return false }); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("same inputs: %v", d.Changes)
	}
	// As with the official plugins, a value that became secret is a change.
	if d := diff(olds, news, func(resource.PropertyKey) bool { return true }); d.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(d.Replaces) != 1 {
		t.Errorf("secretness: %v, replaces %v", d.Changes, d.Replaces)
	}
}
