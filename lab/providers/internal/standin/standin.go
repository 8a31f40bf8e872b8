// Package standin is the little gRPC resource-provider server the lab's provider stand-ins share.
// Each stand-in (command, random, docker) registers the resource types it implements; everything
// else (unknown types, unknown properties) is refused with an error naming it, so the program can
// only use what the official plugin would do the same way.
package standin

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Call is what a resource method gets besides its properties: where to log (nowhere without a host,
// as in unit tests).
type Call struct {
	ctx  context.Context
	host *provider.HostClient
	URN  resource.URN
	Name string
}

// Status shows a line in the resource's row of the progress display (like the official plugins'
// InfoStatus), not in the final output.
func (c *Call) Status(msg string) {
	if c.host != nil {
		_ = c.host.LogStatus(c.ctx, diag.Info, c.URN, msg)
	}
}

// Warn shows a warning on the resource.
func (c *Call) Warn(msg string) {
	if c.host != nil {
		_ = c.host.Log(c.ctx, diag.Warning, c.URN, msg)
	}
}

// Resource is one resource type of a stand-in.
type Resource interface {
	// Check validates the new inputs and applies the official defaults.
	Check(news resource.PropertyMap) (resource.PropertyMap, []Failure)
	// Replaces says whether a change of this top-level input replaces the resource.
	Replaces(key resource.PropertyKey) bool
	Create(c *Call, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error)
	// Read refreshes the state (an empty id: the resource is gone) and the inputs recorded with it.
	Read(c *Call, id string, state, inputs resource.PropertyMap) (string, resource.PropertyMap, resource.PropertyMap, error)
	Update(c *Call, id string, state, news resource.PropertyMap, preview bool) (resource.PropertyMap, error)
	Delete(c *Call, id string, state resource.PropertyMap) error
}

// Comparer is a resource whose Diff compares a view of the inputs rather than the inputs as recorded,
// leaving out what its Check fills in where the official plugin's Diff does not see it either.
type Comparer interface {
	Comparable(inputs resource.PropertyMap) resource.PropertyMap
}

// StateComparer is a resource whose Diff compares the new inputs with its stored state (the outputs),
// as a bridged Terraform plugin plans, rather than with the inputs last deployed. Compared returns the
// two views whose differences are the changes: the state's (before) and the new inputs' (after).
type StateComparer interface {
	Compared(state, news resource.PropertyMap) (before, after resource.PropertyMap)
}

// Failure is a property that failed a check.
type Failure struct{ Property, Reason string }

// Server implements Pulumi's ResourceProvider protocol for a set of resource types.
type Server struct {
	pulumirpc.UnimplementedResourceProviderServer
	Name, Version string
	Host          *provider.HostClient
	Resources     map[string]Resource
	// ValidateConfig validates the provider's own configuration (nil: it takes none).
	ValidateConfig func(news resource.PropertyMap) []Failure
	// ApplyConfig receives the checked configuration.
	ApplyConfig func(config resource.PropertyMap) error
}

// Main runs a stand-in plugin.
func Main(s *Server) {
	err := provider.Main(s.Name, func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		s.Host = host
		return s, nil
	})
	if err != nil {
		panic(err)
	}
}

// Secrets pass both ways, as with the official plugins: each resource marks the same values secret in
// its checked inputs and outputs as the official plugin does, so the state has the same shape.
// Nulls are kept: the bridged plugins' states record unset attributes as null.
var wire = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, ComputeAssetHashes: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, wire)
}

// unmarshal2 unmarshals two property structs of one request (old and new, state and inputs).
func unmarshal2(a, b *structpb.Struct) (resource.PropertyMap, resource.PropertyMap, error) {
	first, err := unmarshal(a)
	if err != nil {
		return nil, nil, err
	}
	second, err := unmarshal(b)
	return first, second, err
}
func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, wire)
}

// Describe names this plugin as a stand-in in errors.
func (s *Server) Describe() string {
	return fmt.Sprintf("pulumi-resource-%s %s (lab stand-in, not the official plugin)", s.Name, s.Version)
}

func (s *Server) resource(urn string) (Resource, resource.URN, error) {
	u := resource.URN(urn)
	r, ok := s.Resources[string(u.Type())]
	if !ok {
		return nil, u, fmt.Errorf("%s: resource type %s is not implemented", s.Describe(), u.Type())
	}
	return r, u, nil
}

func (s *Server) call(ctx context.Context, urn resource.URN) *Call {
	return &Call{ctx: ctx, host: s.Host, URN: urn, Name: urn.Name()}
}

func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.Version}, nil
}

func (s *Server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, s.Name, s.Version)}, nil
}

func (s *Server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []Failure
	if s.ValidateConfig != nil {
		failures = s.ValidateConfig(news)
	} else {
		failures = Unknown(news, "", "version")
	}
	return checkResponse(req.GetNews(), failures, s), nil
}

func (s *Server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, err := unmarshal2(req.GetOldInputs(), req.GetNews())
	if err != nil {
		return nil, err
	}
	return diff(olds, news, func(resource.PropertyKey) bool { return false }), nil
}

func (s *Server) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	_ = s.Host.Log(ctx, diag.Info, "", s.Describe()+": see lab/providers/README.md")
	if s.ApplyConfig != nil {
		args, err := unmarshal(req.GetArgs())
		if err != nil {
			return nil, err
		}
		if err := s.ApplyConfig(args); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func checkResponse(inputs *structpb.Struct, failures []Failure, s *Server) *pulumirpc.CheckResponse {
	resp := &pulumirpc.CheckResponse{Inputs: inputs}
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason + " [" + s.Describe() + "]"})
	}
	return resp
}

func (s *Server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	r, _, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	checked, failures := r.Check(news)
	out, err := marshal(checked)
	if err != nil {
		return nil, err
	}
	return checkResponse(out, failures, s), nil
}

func (s *Server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	r, _, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	if c, ok := r.(StateComparer); ok {
		state, news, err := unmarshal2(req.GetOlds(), req.GetNews())
		if err != nil {
			return nil, err
		}
		before, after := c.Compared(state, news)
		return diff(before, after, r.Replaces), nil
	}
	// Compare with the inputs last deployed (outputs such as stdout are not inputs).
	olds, news, err := unmarshal2(req.GetOldInputs(), req.GetNews())
	if err != nil {
		return nil, err
	}
	if c, ok := r.(Comparer); ok {
		olds, news = c.Comparable(olds), c.Comparable(news)
	}
	return diff(olds, news, r.Replaces), nil
}

func diff(olds, news resource.PropertyMap, replaces func(resource.PropertyKey) bool) *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true, DetailedDiff: map[string]*pulumirpc.PropertyDiff{}}
	d := olds.Diff(news)
	if d == nil {
		return resp
	}
	changed := map[resource.PropertyKey]pulumirpc.PropertyDiff_Kind{}
	for k := range d.Adds {
		changed[k] = pulumirpc.PropertyDiff_ADD
	}
	for k := range d.Deletes {
		changed[k] = pulumirpc.PropertyDiff_DELETE
	}
	for k := range d.Updates {
		changed[k] = pulumirpc.PropertyDiff_UPDATE
	}
	keys := make([]string, 0, len(changed))
	for k := range changed {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, key := range keys {
		kind := changed[resource.PropertyKey(key)]
		if replaces(resource.PropertyKey(key)) {
			kind += pulumirpc.PropertyDiff_ADD_REPLACE - pulumirpc.PropertyDiff_ADD
			resp.Replaces = append(resp.Replaces, key)
		}
		resp.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		resp.Diffs = append(resp.Diffs, key)
	}
	resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	return resp
}

func (s *Server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	r, urn, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, outs, err := r.Create(s.call(ctx, urn), inputs, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := marshal(outs)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (s *Server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	r, urn, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, inputs, err := unmarshal2(req.GetProperties(), req.GetInputs())
	if err != nil {
		return nil, err
	}
	id, outs, ins, err := r.Read(s.call(ctx, urn), req.GetId(), state, inputs)
	if err != nil {
		return nil, err
	}
	if id == "" { // gone
		return &pulumirpc.ReadResponse{}, nil
	}
	props, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	newInputs, err := marshal(ins)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: props, Inputs: newInputs}, nil
}

func (s *Server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	r, urn, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, news, err := unmarshal2(req.GetOlds(), req.GetNews())
	if err != nil {
		return nil, err
	}
	outs, err := r.Update(s.call(ctx, urn), req.GetId(), state, news, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := marshal(outs)
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

func (s *Server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	r, urn, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, r.Delete(s.call(ctx, urn), req.GetId(), state)
}

func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Unknown lists the keys of m that are not allowed, as failures at path.
func Unknown(m resource.PropertyMap, path string, allowed ...string) []Failure {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var failures []Failure
	for _, k := range m.StableKeys() {
		if !ok[string(k)] {
			failures = append(failures, Failure{Property: join(path, string(k)),
				Reason: fmt.Sprintf("property %s is not implemented by this stand-in (it implements %s)", join(path, string(k)), strings.Join(allowed, ", "))})
		}
	}
	return failures
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Plain returns v without its secret wrapping (a secret's value, read to act on it).
func Plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// Secret returns v marked secret (once).
func Secret(v resource.PropertyValue) resource.PropertyValue {
	if v.IsSecret() {
		return v
	}
	return resource.MakeSecret(v)
}

// Object returns a known object property, secret or not.
func Object(m resource.PropertyMap, key string) (resource.PropertyMap, bool) {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}

// String returns a known string property, secret or not (ok false when absent or unknown).
func String(m resource.PropertyMap, key string) (string, bool) {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

// Number returns a known number property, secret or not.
func Number(m resource.PropertyMap, key string) (float64, bool) {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsNumber() {
		return 0, false
	}
	return v.NumberValue(), true
}

// Bool returns a known bool property, secret or not, or def when absent.
func Bool(m resource.PropertyMap, key string, def bool) bool {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsBool() {
		return def
	}
	return v.BoolValue()
}

// Default sets key to v when absent.
func Default(m resource.PropertyMap, key string, v resource.PropertyValue) {
	if _, has := m[resource.PropertyKey(key)]; !has {
		m[resource.PropertyKey(key)] = v
	}
}

// HasUnknowns reports whether any input is not known yet (preview).
func HasUnknowns(m resource.PropertyMap) bool {
	return resource.NewObjectProperty(m).ContainsUnknowns()
}

// Computed is an output whose value is not known until the resource is created.
func Computed() resource.PropertyValue { return resource.MakeComputed(resource.NewStringProperty("")) }

// Copy returns a shallow copy of m.
func Copy(m resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
