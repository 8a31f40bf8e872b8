package main

import (
	"testing"

	"twister2-cluster/lab/providers/internal/standin"
	. "twister2-cluster/lab/providers/internal/standintest"
)

const programInputs = `{"length":32,"special":false,"keepers":{"principal":"agent"}}`

func TestCheckFillsInNoDefaults(t *testing.T) {
	checked, failures := password{}.Check(Props(t, programInputs))
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	Equal(t, "checked inputs", checked, programInputs)
}

func TestInputsWithAndWithoutTheDefaultsCompareEqual(t *testing.T) {
	earlier := `{"length":32,"special":false,"upper":true,"lower":true,"numeric":true,"number":true,
		"minUpper":0,"minLower":0,"minNumeric":0,"minSpecial":0,"keepers":{"principal":"agent"}}`
	if d := (password{}).Comparable(Props(t, earlier)).Diff((password{}).Comparable(Props(t, programInputs))); d != nil {
		t.Errorf("differ: %v", d.Keys())
	}
	if (password{}).Comparable(Props(t, programInputs)).Diff((password{}).Comparable(Props(t, `{"length":32,"special":false,"keepers":{"principal":"b"}}`))) == nil {
		t.Error("new keepers compare equal")
	}
}

func TestCreateStateIsTerraformsWithSecrets(t *testing.T) {
	id, state, err := password{}.Create(&standin.Call{}, Props(t, `{"length":24,"special":false}`), false)
	if err != nil {
		t.Fatal(err)
	}
	result, bcrypt := state["result"], state["bcryptHash"]
	if id != "none" || !result.IsSecret() || !bcrypt.IsSecret() {
		t.Fatalf("id %q, result %v, bcryptHash %v", id, result, bcrypt)
	}
	if n := len(result.SecretValue().Element.StringValue()); n != 24 {
		t.Errorf("result of %d characters", n)
	}
	delete(state, "result")
	delete(state, "bcryptHash")
	Equal(t, "state", state, `{"id":"none","length":24,"special":false,"upper":true,"lower":true,"numeric":true,"number":true,
		"minUpper":0,"minLower":0,"minNumeric":0,"minSpecial":0,"keepers":null,"overrideSpecial":null}`)
}
