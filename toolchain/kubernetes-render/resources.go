package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Check completes the inputs: it names unnamed objects, fills in the provider's default
// namespace for namespaced kinds and drops server-owned metadata. It works on the property
// map itself so secret and unknown values keep their exact place.
func (p *renderProvider) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	isPatch, err := resourceKind(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "Check.news")
	if err != nil {
		return nil, fmt.Errorf("check failed because of malformed resource inputs: %w", err)
	}
	olds, err := unmarshal(req.GetOlds(), "Check.olds")
	if err != nil {
		return nil, err
	}
	opts, _ := p.options()

	checked := news.Copy()
	md := objectProp(checked["metadata"])
	if md == nil {
		if v := checked["metadata"]; v.IsComputed() || v.IsOutput() || v.IsSecret() {
			return nil, errors.New("metadata must be an object whose fields may be unknown, not an unknown or " +
				"secret value as a whole: the provider must be able to read metadata.name")
		}
		md = resource.PropertyMap{}
	}
	for _, k := range []resource.PropertyKey{"creationTimestamp", "deletionGracePeriodSeconds",
		"deletionTimestamp", "generation", "managedFields", "resourceVersion", "uid"} {
		delete(md, k)
	}

	named := isNamed(md)
	if isPatch && !named {
		return nil, errors.New("patch resources require the `.metadata.name` field to be set")
	}
	if !named && hasValue(md["generateName"]) {
		return nil, errors.New("the `.metadata.generateName` field is not supported in YAML rendering mode")
	}
	oldMD := objectProp(olds["metadata"])
	switch {
	case named:
	case len(olds) > 0 && oldMD != nil && annotationOf(oldMD, autonamedAnnotation) == "true":
		// Keep the name an earlier Check generated, so an update does not rename the object.
		md["name"] = oldMD["name"]
		setAnnotation(md, autonamedAnnotation, "true")
	case len(olds) == 0:
		name, err := autoname(req)
		if err != nil {
			return nil, err
		}
		md["name"] = resource.NewStringProperty(name)
		setAnnotation(md, autonamedAnnotation, "true")
	}

	apiVersion, kind := stringProp(checked["apiVersion"]), stringProp(checked["kind"])
	if opts.defaultNamespace != "" && !hasValue(md["namespace"]) && p.crds.namespaced(apiVersion, kind) {
		md["namespace"] = resource.NewStringProperty(opts.defaultNamespace)
	}
	checked["metadata"] = resource.NewObjectProperty(md)

	if isCRD(apiVersion, kind) {
		spec := objectProp(checked["spec"])
		names := objectProp(spec["names"])
		p.crds.remember(stringProp(spec["group"]), stringProp(names["kind"]),
			stringProp(spec["scope"]) == "Namespaced")
	}
	if checked.ContainsSecrets() {
		p.log(ctx, diag.Warning, req.GetUrn(), "rendered YAML will contain a secret value in plaintext")
	}

	inputs, err := p.marshal(checked, "Check.inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs}, nil
}

// autoname is "<resource name>-<8 random hex digits>" seeded by the engine (so previews and
// updates agree), or the engine's proposed name when stack autonaming is configured.
func autoname(req *pulumirpc.CheckRequest) (string, error) {
	if opts := req.GetAutonaming(); opts != nil {
		switch opts.GetMode() {
		case pulumirpc.CheckRequest_AutonamingOptions_DISABLE:
			return "", errors.New("autonaming is disabled, resource requires the .metadata.name field to be set")
		case pulumirpc.CheckRequest_AutonamingOptions_ENFORCE, pulumirpc.CheckRequest_AutonamingOptions_PROPOSE:
			if opts.GetProposedName() != "" {
				return opts.GetProposedName(), nil
			}
		}
	}
	urn := resource.URN(req.GetUrn())
	return resource.NewUniqueName(req.GetRandomSeed(), urn.Name()+"-", 0, 0, nil)
}

// Diff compares the last rendered object with the new inputs.
func (p *renderProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	isPatch, err := resourceKind(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetOlds(), "Diff.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "Diff.news")
	if err != nil {
		return nil, fmt.Errorf("diff failed because of malformed resource inputs: %w", err)
	}
	opts, _ := p.options()

	oldInputs, oldLive := splitCheckpoint(state)
	newInputs := withoutReadOnlyMetadata(object(plainObject(news, nil)))
	oldInputs = withoutReadOnlyMetadata(oldInputs)
	oldPruned := object(pruneTo(oldLive, oldInputs))
	if oldPruned == nil {
		oldPruned = object{}
	}

	apiVersion, kind := newInputs.apiVersion(), newInputs.kind()
	if p.crds.namespaced(apiVersion, kind) {
		// An object without a namespace lands in "default": not a change.
		oldPruned.setMetadata("namespace", canonicalNamespace(oldPruned.namespace()))
		newInputs.setMetadata("namespace", canonicalNamespace(newInputs.namespace()))
	} else {
		delete(oldPruned.metadata(), "namespace")
		delete(newInputs.metadata(), "namespace")
	}

	changes := detailedDiff(oldPruned, newInputs, replaceOnChange(apiVersion, kind, isPatch, newInputs, opts))
	if err := dropIgnored(changes, req.GetIgnoreChanges()); err != nil {
		return nil, err
	}

	var replaces []string
	for path, d := range changes {
		switch d.GetKind() {
		case pulumirpc.PropertyDiff_ADD_REPLACE, pulumirpc.PropertyDiff_DELETE_REPLACE,
			pulumirpc.PropertyDiff_UPDATE_REPLACE:
			replaces = append(replaces, path)
		case pulumirpc.PropertyDiff_DELETE:
			if path == "metadata" {
				replaces = append(replaces, path)
			}
		}
	}
	sort.Strings(replaces)

	result := pulumirpc.DiffResponse_DIFF_NONE
	if len(changes) > 0 || opts.alwaysRender {
		result = pulumirpc.DiffResponse_DIFF_SOME
	}

	// An object that must be replaced but keeps its user-chosen name and namespace cannot exist
	// twice, so the old one goes first. (Upstream compares the new canonical namespace with the
	// old raw one, which for namespace-less objects creates the new file before deleting the
	// old one at the same path and so loses the manifest; we compare canonical namespaces.)
	newMD := objectProp(news["metadata"])
	deleteBeforeReplace := len(replaces) > 0 && isNamed(newMD) && !newInputs.isAutonamed() &&
		newInputs.name() == object(oldLive).name() &&
		canonicalNamespace(newInputs.namespace()) == canonicalNamespace(object(oldLive).namespace())

	return &pulumirpc.DiffResponse{
		Changes:             result,
		Replaces:            replaces,
		Stables:             []string{},
		DeleteBeforeReplace: deleteBeforeReplace,
		DetailedDiff:        changes,
		HasDetailedDiff:     true,
	}, nil
}

func canonicalNamespace(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

func dropIgnored(changes map[string]*pulumirpc.PropertyDiff, ignore []string) error {
	for _, ig := range ignore {
		ignorePath, err := resource.ParsePropertyPath(ig)
		if err != nil {
			return fmt.Errorf("failed to parse ignoreChanges path %q: %w", ig, err)
		}
		for p := range changes {
			changed, err := resource.ParsePropertyPath(p)
			if err != nil {
				return fmt.Errorf("failed to parse diff path %q: %w", p, err)
			}
			if ignorePath.Contains(changed) {
				delete(changes, p)
			}
		}
	}
	return nil
}

// Create renders the manifest. In a preview nothing is written and the inputs are returned
// as the expected outputs, as the real provider does in render mode.
func (p *renderProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if req.GetPreview() {
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	props, err := unmarshal(req.GetProperties(), "Create.properties")
	if err != nil {
		return nil, fmt.Errorf("create failed because of malformed resource inputs: %w", err)
	}
	obj, path, err := p.render(ctx, req.GetUrn(), props)
	if err != nil {
		return nil, err
	}
	state := checkpoint(obj, props, obj.apiVersion(), fieldManager(obj, nil))
	outs, err := p.marshal(state, "Create.outputs")
	if err != nil {
		return nil, err
	}
	p.status(ctx, diag.Info, req.GetUrn(), "rendered "+path)
	return &pulumirpc.CreateResponse{Id: fullName(obj), Properties: outs}, nil
}

// Update re-renders the manifest (same path unless the apiVersion changed; then the old file
// is removed, which upstream forgets).
func (p *renderProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if req.GetPreview() {
		return &pulumirpc.UpdateResponse{Properties: req.GetNews()}, nil
	}
	state, err := unmarshal(req.GetOlds(), "Update.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "Update.news")
	if err != nil {
		return nil, fmt.Errorf("update failed because of malformed resource inputs: %w", err)
	}
	obj, path, err := p.render(ctx, req.GetUrn(), news)
	if err != nil {
		return nil, err
	}
	opts, _ := p.options()
	oldInputs, oldLive := splitCheckpoint(state)
	if oldPath := manifestPath(opts.renderDir, object(oldLive)); object(oldLive).name() != "" && oldPath != path {
		if err := removeManifest(oldPath); err != nil {
			return nil, err
		}
	}
	initialAPIVersion := stringProp(state[initialAPIVersionKey])
	if initialAPIVersion == "" {
		initialAPIVersion = oldInputs.apiVersion()
	}
	outs, err := p.marshal(checkpoint(obj, news, initialAPIVersion, fieldManager(obj, state)), "Update.outputs")
	if err != nil {
		return nil, err
	}
	p.status(ctx, diag.Info, req.GetUrn(), "rendered "+path)
	return &pulumirpc.UpdateResponse{Properties: outs}, nil
}

func (p *renderProvider) render(ctx context.Context, urn string, props resource.PropertyMap) (object, string, error) {
	opts, _ := p.options()
	if !opts.renderDirKnown() {
		return nil, "", errors.New("renderYamlToDirectory is still unknown outside a preview")
	}
	obj := withoutReadOnlyMetadata(object(plainObject(props, nil)))
	if hasUnknowns(map[string]any(obj)) {
		return nil, "", fmt.Errorf("cannot render %s: some inputs are still unknown", urn)
	}
	if obj.name() == "" {
		return nil, "", fmt.Errorf("cannot render %s: metadata.name is empty", urn)
	}
	path, err := renderManifest(opts.renderDir, obj)
	if err != nil {
		return nil, "", err
	}
	if props.ContainsSecrets() {
		p.log(ctx, diag.Warning, urn, fmt.Sprintf("rendered file %s contains a secret value in plaintext", path))
	}
	return obj, path, nil
}

// Delete removes the rendered manifest.
func (p *renderProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	state, err := unmarshal(req.GetProperties(), "Delete.olds")
	if err != nil {
		return nil, err
	}
	_, live := splitCheckpoint(state)
	if object(live).name() == "" {
		return nil, fmt.Errorf("cannot delete %s: its state has no metadata.name", req.GetUrn())
	}
	opts, _ := p.options()
	path := manifestPath(opts.renderDir, object(live))
	if err := removeManifest(path); err != nil {
		return nil, err
	}
	p.status(ctx, diag.Info, req.GetUrn(), "deleted "+path)
	return &emptypb.Empty{}, nil
}

// Read (refresh) returns the recorded state unchanged: in render mode there is no live object
// to look at. Reading an object that is not in the state (import, .get) needs a cluster.
func (p *renderProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	state, err := unmarshal(req.GetProperties(), "Read.state")
	if err != nil {
		return nil, err
	}
	if len(state) == 0 {
		return nil, notSupported("reading an object that is not in the state (import or get)")
	}
	outs, err := p.marshal(state, "Read.state")
	if err != nil {
		return nil, err
	}
	var inputs resource.PropertyMap
	if in := state[inputsKey]; in.IsObject() {
		inputs = in.ObjectValue()
	}
	ins, err := p.marshal(inputs, "Read.inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: outs, Inputs: ins}, nil
}

// checkpoint builds the outputs: the rendered object, plus the inputs and bookkeeping keys
// the real provider stores, with secretness copied from the inputs.
func checkpoint(obj object, fromInputs resource.PropertyMap, initialAPIVersion, fieldManager string) resource.PropertyMap {
	live := propertyMapOf(obj, nil)
	inputs := propertyMapOf(obj, nil)
	copySecretness(live, fromInputs)
	copySecretness(inputs, fromInputs)
	live[inputsKey] = resource.NewObjectProperty(inputs)
	live[initialAPIVersionKey] = resource.NewStringProperty(initialAPIVersion)
	live[fieldManagerKey] = resource.NewStringProperty(fieldManager)
	return live
}

// splitCheckpoint separates a state into the inputs that produced it and the object itself.
func splitCheckpoint(state resource.PropertyMap) (inputs, live object) {
	live = object(plainObject(state, nil))
	inputs, _ = live[inputsKey].(map[string]any)
	if inputs == nil {
		inputs = object{}
	}
	delete(live, inputsKey)
	return inputs, live
}

// fieldManager keeps the server-side-apply field manager name of the real provider's state:
// the pulumi.com/patchFieldManager annotation, else the recorded one, else a new random name.
func fieldManager(obj object, state resource.PropertyMap) string {
	if v := obj.annotation("pulumi.com/patchFieldManager"); v != "" {
		return v
	}
	if v := stringProp(state[fieldManagerKey]); v != "" {
		return v
	}
	name, err := resource.NewUniqueName(nil, "pulumi-kubernetes-", 0, 0, nil)
	if err != nil {
		return "pulumi-kubernetes"
	}
	return name
}

// ---- small property-map helpers ----

// objectProp returns v's map when v is a plain (known, non-secret) object.
func objectProp(v resource.PropertyValue) resource.PropertyMap {
	if v.IsObject() {
		return v.ObjectValue().Copy()
	}
	return nil
}

func stringProp(v resource.PropertyValue) string {
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// hasValue: set to a non-empty string, or to a value not known yet.
func hasValue(v resource.PropertyValue) bool {
	return stringProp(v) != "" || v.IsComputed() || (v.IsOutput() && !v.OutputValue().Known)
}

func isNamed(md resource.PropertyMap) bool { return md != nil && hasValue(md["name"]) }

func annotationOf(md resource.PropertyMap, key string) string {
	return stringProp(objectProp(md["annotations"])[resource.PropertyKey(key)])
}

func setAnnotation(md resource.PropertyMap, key, value string) {
	ann := objectProp(md["annotations"])
	if ann == nil {
		if v := md["annotations"]; v.IsComputed() || v.IsOutput() || v.IsSecret() {
			return // annotations not known yet: leave them to the program
		}
		ann = resource.PropertyMap{}
	}
	ann[resource.PropertyKey(key)] = resource.NewStringProperty(value)
	md["annotations"] = resource.NewObjectProperty(ann)
}
