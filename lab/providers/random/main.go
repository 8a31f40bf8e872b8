// pulumi-resource-random: the lab's stand-in for Pulumi's random provider (pulumi/pulumi-random),
// implementing random:index/randomPassword:RandomPassword with the official plugin's behaviour:
// every input replaces, `result` and `bcryptHash` are secrets. See ../README.md.
package main

import (
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"

	"twister2-cluster/lab/providers/internal/standin"
)

var version = "4.21.2" // set by the build from the pinned @pulumi/random

func main() {
	standin.Main(&standin.Server{
		Name:      "random",
		Version:   version,
		Resources: map[string]standin.Resource{"random:index/randomPassword:RandomPassword": password{}},
	})
}

type password struct{}

var passwordKeys = []string{"length", "keepers", "special", "upper", "lower", "numeric", "number",
	"minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial"}

// Check returns the inputs as given: the bridged plugin's Check fills in no Terraform defaults (they
// are in the state).
func (password) Check(news resource.PropertyMap) (resource.PropertyMap, []standin.Failure) {
	checked := standin.Copy(news)
	failures := standin.Unknown(checked, "", passwordKeys...)
	if n, ok := standin.Number(checked, "length"); !ok && !checked["length"].IsComputed() {
		failures = append(failures, standin.Failure{Property: "length", Reason: "missing required property length"})
	} else if ok && n < 1 {
		failures = append(failures, standin.Failure{Property: "length", Reason: "length must be at least 1"})
	}
	return checked, failures
}

// withDefaults is the inputs with the schema's defaults: every class on, no minimums.
func withDefaults(inputs resource.PropertyMap) resource.PropertyMap {
	m := standin.Copy(inputs)
	for _, k := range []string{"special", "upper", "lower", "numeric", "number"} {
		standin.Default(m, k, resource.NewBoolProperty(true))
	}
	for _, k := range []string{"minUpper", "minLower", "minNumeric", "minSpecial"} {
		standin.Default(m, k, resource.NewNumberProperty(0))
	}
	return m
}

// Comparable: the official plans against the state, where the defaults are filled in, so an input left
// to its default and the default given compare equal (and inputs an earlier stand-in recorded with
// the defaults compare equal to the same inputs without them).
func (password) Comparable(inputs resource.PropertyMap) resource.PropertyMap {
	return withDefaults(inputs)
}

func (password) Replaces(resource.PropertyKey) bool { return true }

// Create's state is Terraform's: every attribute, the defaults filled in, id "none", and result and
// bcryptHash secret (sensitive in the schema).
func (password) Create(_ *standin.Call, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	state := withDefaults(inputs)
	standin.Default(state, "keepers", resource.NewNullProperty())
	standin.Default(state, "overrideSpecial", resource.NewNullProperty())
	if preview {
		state["id"], state["result"], state["bcryptHash"] = standin.Computed(), standin.Computed(), standin.Computed()
		return "", state, nil
	}
	result, err := generate(inputs)
	if err != nil {
		return "", nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(result), bcrypt.DefaultCost)
	if err != nil {
		return "", nil, err
	}
	state["id"] = resource.NewStringProperty("none") // the official id of a RandomPassword
	state["result"] = resource.MakeSecret(resource.NewStringProperty(result))
	state["bcryptHash"] = resource.MakeSecret(resource.NewStringProperty(string(hash)))
	return "none", state, nil
}

func (password) Read(_ *standin.Call, id string, state, inputs resource.PropertyMap) (string, resource.PropertyMap, resource.PropertyMap, error) {
	return id, state, inputs, nil
}

func (password) Update(_ *standin.Call, _ string, _, news resource.PropertyMap, _ bool) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("random:RandomPassword is replaced on every change, never updated (stand-in)")
}

func (password) Delete(*standin.Call, string, resource.PropertyMap) error { return nil }

const (
	lowers   = "abcdefghijklmnopqrstuvwxyz"
	uppers   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numerics = "0123456789"
	specials = "!@#$%&*()-_=+[]{}<>:?"
)

// generate makes the minimum of each class first, fills up from every enabled class, then shuffles.
func generate(in resource.PropertyMap) (string, error) {
	length, _ := standin.Number(in, "length")
	special := specials
	if s, ok := standin.String(in, "overrideSpecial"); ok {
		special = s
	}
	classes := []struct {
		on    bool
		chars string
		min   string
	}{
		{standin.Bool(in, "lower", true), lowers, "minLower"},
		{standin.Bool(in, "upper", true), uppers, "minUpper"},
		{standin.Bool(in, "numeric", true) && standin.Bool(in, "number", true), numerics, "minNumeric"},
		{standin.Bool(in, "special", true), special, "minSpecial"},
	}
	var out []byte
	all := ""
	for _, class := range classes {
		if !class.on || class.chars == "" {
			continue
		}
		all += class.chars
		n, _ := standin.Number(in, class.min)
		for i := 0; i < int(n); i++ {
			b, err := pick(class.chars)
			if err != nil {
				return "", err
			}
			out = append(out, b)
		}
	}
	if all == "" {
		return "", fmt.Errorf("no character class is enabled (stand-in)")
	}
	for len(out) < int(length) {
		b, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, b)
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(chars string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, err
	}
	return chars[i.Int64()], nil
}
