// Package standintest helps the stand-ins' tests compare property maps in the wire form the engine
// stores (secrets and unknowns as Pulumi's signature objects).
package standintest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// Secret and Unknown are the wire signatures of a secret and of an unknown value.
const (
	Secret  = `"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"`
	Unknown = `"04da6b54-80e4-46f7-96ec-b56ff0331ba9"`
)

// Props reads a property map from its wire JSON.
func Props(t *testing.T, wire string) resource.PropertyMap {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal([]byte(wire), &raw); err != nil {
		t.Fatalf("bad test JSON %s: %v", wire, err)
	}
	m, err := plugin.UnmarshalProperties(mustStruct(t, raw), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Equal fails the test unless m's wire JSON is want's.
func Equal(t *testing.T, what string, m resource.PropertyMap, want string) {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := protojson.Marshal(s)
	var g, w any
	_ = json.Unmarshal(got, &g)
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad test JSON %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, got, want)
	}
}

func mustStruct(t *testing.T, raw map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
