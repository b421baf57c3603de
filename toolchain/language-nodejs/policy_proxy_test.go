package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fakePack stands in for the pack's node process: it records what reaches it.
type fakePack struct {
	pulumirpc.UnimplementedAnalyzerServer
	mu        sync.Mutex
	configure *pulumirpc.AnalyzerStackConfigureRequest
	analyze   *pulumirpc.AnalyzeRequest
}

func (f *fakePack) ConfigureStack(_ context.Context, req *pulumirpc.AnalyzerStackConfigureRequest) (*pulumirpc.AnalyzerStackConfigureResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.configure = req
	return &pulumirpc.AnalyzerStackConfigureResponse{}, nil
}

func (f *fakePack) Analyze(_ context.Context, req *pulumirpc.AnalyzeRequest) (*pulumirpc.AnalyzeResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.analyze = req
	return &pulumirpc.AnalyzeResponse{Diagnostics: []*pulumirpc.AnalyzeDiagnostic{{PolicyName: "digest-required", Message: "pin " + req.GetName()}}}, nil
}

func (f *fakePack) Remediate(context.Context, *pulumirpc.AnalyzeRequest) (*pulumirpc.RemediateResponse, error) {
	return nil, status.Error(codes.InvalidArgument, "the pack refused this call")
}

func (f *fakePack) GetAnalyzerInfo(context.Context, *emptypb.Empty) (*pulumirpc.AnalyzerInfo, error) {
	return &pulumirpc.AnalyzerInfo{Name: "fake"}, nil
}

// startProxy runs the proxy as RunPlugin does, with a shell "node" that prints the fake
// pack's port and a line of its own output.
func startProxy(t *testing.T) (*fakePack, pulumirpc.AnalyzerClient, <-chan *pulumirpc.AnalyzerStackConfigureRequest, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	pack := &fakePack{}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pulumirpc.RegisterAnalyzerServer(srv, pack)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	stdout := &syncBuffer{}
	proxy, proxyStdout, err := newPolicyProxy(ctx, stdout)
	if err != nil {
		t.Fatal(err)
	}
	configured := make(chan *pulumirpc.AnalyzerStackConfigureRequest, 1)
	go func() {
		cfg, err := proxy.awaitConfiguration(ctx)
		if err != nil {
			return
		}
		configured <- cfg
		port := lis.Addr().(*net.TCPAddr).Port
		cmd := exec.CommandContext(ctx, "sh", "-c", fmt.Sprintf("echo %d; echo hello from the pack; sleep 60", port))
		cmd.Stdout = proxyStdout
		if err := cmd.Start(); err != nil {
			return
		}
		_ = proxy.attach(ctx, cmd)
	}()

	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", proxy.port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pack, pulumirpc.NewAnalyzerClient(conn), configured, stdout
}

func TestPolicyProxyForwardsCallsUnchanged(t *testing.T) {
	pack, client, configured, stdout := startProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	stack := &pulumirpc.AnalyzerStackConfigureRequest{Project: "pinstack", Stack: "production", DryRun: true,
		Config: map[string]string{"pinstack:environment": "production"}}
	if _, err := client.ConfigureStack(ctx, stack); err != nil {
		t.Fatal(err)
	}
	if got := <-configured; !proto.Equal(got, stack) {
		t.Fatalf("the host got stack config %v, want %v", got, stack)
	}

	props, err := structpb.NewStruct(map[string]any{
		"metadata": map[string]any{"name": "backend", "annotations": map[string]any{"pinstack.dev/pin": "ghcr.io/x/backend:2023.06.1@sha256:abc"}},
		"spec":     map[string]any{"replicas": 2.0, "containers": []any{map[string]any{"image": "ghcr.io/x/backend:2023.06.1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req := &pulumirpc.AnalyzeRequest{Type: "kubernetes:apps/v1:Deployment", Name: "backend", Urn: "urn:pulumi:production::pinstack::kubernetes:apps/v1:Deployment::backend", Properties: props}
	resp, err := client.Analyze(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDiagnostics()) != 1 || resp.GetDiagnostics()[0].GetMessage() != "pin backend" {
		t.Errorf("answer %v did not come back from the pack", resp)
	}
	pack.mu.Lock()
	if !proto.Equal(pack.analyze, req) {
		t.Errorf("the pack got %v, want %v", pack.analyze, req)
	}
	// The pack was told the stack too, before any other call.
	if !proto.Equal(pack.configure, stack) {
		t.Errorf("the pack got stack config %v, want %v", pack.configure, stack)
	}
	pack.mu.Unlock()

	_, err = client.Remediate(ctx, req)
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "the pack refused this call") {
		t.Errorf("the pack's error must reach the engine as it was, got %v", err)
	}
	// node's stdout after its port line still reaches the engine.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "hello from the pack") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "hello from the pack") {
		t.Errorf("stdout %q lacks the pack's output", stdout.String())
	}
	// The proxy's own port line comes first, and the pack's port line is not passed on.
	if lines := strings.Split(stdout.String(), "\n"); len(lines) < 2 || lines[1] != "hello from the pack" {
		t.Errorf("stdout %q: want the proxy's port, then the pack's output", stdout.String())
	}
}

func TestPolicyProxyWithoutStackConfiguration(t *testing.T) {
	_, client, configured, _ := startProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// `pulumi policy publish` asks for the pack's info without configuring a stack.
	info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetName() != "fake" {
		t.Errorf("info %v", info)
	}
	if got := <-configured; got != nil {
		t.Errorf("no ConfigureStack came, but the host got %v", got)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
