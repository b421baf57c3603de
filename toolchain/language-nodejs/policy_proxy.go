package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// policyProxy stands between the engine and a policy pack's node process, as the SDK's
// PolicyProxy (sdk/go policy_proxy.go) does: @pulumi/policy learns the stack from environment
// variables, but the engine only sends them in a ConfigureStack call after the plugin has
// started, so the proxy answers that call itself, node is started with the environment filled
// in, and every later call is forwarded to it.
//
// Why not the SDK's: it decodes every Analyze and Remediate request (a resource's whole
// properties) into Go structs and encodes it again for node, and the same for each answer.
// Measured on a 200-service preview with a pack that checks nothing (BENCHMARKS.md, "Where a
// policy pack's CPU goes"): 1,900 such calls cost the language host about 2 s of CPU. This
// proxy forwards the bytes as they came (a pass-through codec), and decodes only the two
// messages it answers itself.
type policyProxy struct {
	port   int
	stdout io.Writer
	// stdoutR/W carry node's stdout: its first line is its port, the rest goes to stdout.
	stdoutR *io.PipeReader
	stdoutW *io.PipeWriter

	configured   chan struct{}
	configOnce   sync.Once
	stackConfig  *pulumirpc.AnalyzerStackConfigureRequest
	attached     chan struct{}
	attachOnce   sync.Once
	conn         *grpc.ClientConn
	attachFailed error
}

const analyzerService = "/pulumirpc.Analyzer/"

// maxMessageSize is the limit the engine's own servers accept (rpcutil, 400 MiB): a stack's
// whole state goes to AnalyzeStack in one message.
const maxMessageSize = 400 << 20

func newPolicyProxy(ctx context.Context, stdout io.Writer) (*policyProxy, io.Writer, error) {
	r, w := io.Pipe()
	p := &policyProxy{stdout: stdout, stdoutR: r, stdoutW: w, configured: make(chan struct{}), attached: make(chan struct{})}
	var cancel chan bool
	if done := ctx.Done(); done != nil {
		cancel = make(chan bool, 1)
		go func() {
			<-done
			cancel <- true
		}()
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Options: []grpc.ServerOption{
			grpc.ForceServerCodec(passThroughCodec{}),
			// No Analyzer service is registered: every Analyzer method arrives here.
			grpc.UnknownServiceHandler(p.handle),
		},
	})
	if err != nil {
		return nil, nil, err
	}
	p.port = handle.Port
	return p, w, nil
}

// awaitConfiguration tells the engine where the proxy listens and waits for ConfigureStack
// (nil when the engine calls something else first, e.g. for `pulumi policy publish`).
func (p *policyProxy) awaitConfiguration(ctx context.Context) (*pulumirpc.AnalyzerStackConfigureRequest, error) {
	fmt.Fprintf(p.stdout, "%d\n", p.port)
	select {
	case <-p.configured:
		return p.stackConfig, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *policyProxy) configure(req *pulumirpc.AnalyzerStackConfigureRequest) {
	p.configOnce.Do(func() {
		p.stackConfig = req
		close(p.configured)
	})
}

// attach reads the pack's port from its stdout, connects, replays ConfigureStack, and serves
// until node exits.
func (p *policyProxy) attach(ctx context.Context, cmd *exec.Cmd) error {
	exited := make(chan error, 1)
	go func() {
		exited <- cmd.Wait()
		p.stdoutW.Close()
		p.stdoutR.Close()
	}()
	fail := func(err error) error {
		p.attachOnce.Do(func() {
			p.attachFailed = err
			close(p.attached)
		})
		return err
	}
	var port int
	if _, err := fmt.Fscanf(p.stdoutR, "%d\n", &port); err != nil {
		return fail(fmt.Errorf("could not read policy pack port: %w", err))
	}
	go func() {
		if _, err := io.Copy(p.stdout, p.stdoutR); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			fmt.Fprintf(p.stdout, "error copying stdout: %v\n", err)
		}
	}()
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(passThroughCodec{}), grpc.MaxCallRecvMsgSize(maxMessageSize), grpc.MaxCallSendMsgSize(maxMessageSize)))
	if err != nil {
		return fail(fmt.Errorf("dial policy pack: %w", err))
	}
	defer conn.Close()
	if p.stackConfig != nil {
		err := conn.Invoke(ctx, analyzerService+"ConfigureStack", p.stackConfig, &pulumirpc.AnalyzerStackConfigureResponse{})
		// Older packs do not implement ConfigureStack; that is fine.
		if err != nil && status.Code(err) != codes.Unimplemented {
			return fail(fmt.Errorf("policy pack configuration failed: %w", err))
		}
	}
	p.attachOnce.Do(func() {
		p.conn = conn
		close(p.attached)
	})
	select {
	case err := <-exited:
		return err
	case <-ctx.Done():
		return <-exited
	}
}

// handle answers ConfigureStack and Handshake, and forwards every other call's bytes to node.
func (p *policyProxy) handle(_ any, stream grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(stream)
	if !ok {
		return status.Error(codes.Internal, "policy proxy: no method in the stream")
	}
	var in frame
	if err := stream.RecvMsg(&in); err != nil {
		return err
	}
	switch method {
	case analyzerService + "ConfigureStack":
		req := &pulumirpc.AnalyzerStackConfigureRequest{}
		if err := proto.Unmarshal(in, req); err != nil {
			return status.Errorf(codes.InvalidArgument, "policy proxy: ConfigureStack: %v", err)
		}
		p.configure(req)
		return stream.SendMsg(&pulumirpc.AnalyzerStackConfigureResponse{})
	case analyzerService + "Handshake":
		return stream.SendMsg(&pulumirpc.AnalyzerHandshakeResponse{})
	}
	// Any other call before ConfigureStack means there will be none.
	p.configure(nil)
	ctx := stream.Context()
	select {
	case <-p.attached:
	case <-ctx.Done():
		return ctx.Err()
	}
	if p.attachFailed != nil {
		return status.Errorf(codes.Unavailable, "policy pack not started: %v", p.attachFailed)
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md)
	}
	var out frame
	if err := p.conn.Invoke(ctx, method, &in, &out); err != nil {
		return err // a status error from the pack goes back to the engine as it came
	}
	return stream.SendMsg(&out)
}

// frame is a message's encoded bytes, passed through without decoding.
type frame []byte

// passThroughCodec moves frames as they are and encodes real messages as protobuf, so the
// proxy's own answers and the health service keep working.
type passThroughCodec struct{}

func (passThroughCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case *frame:
		return *m, nil
	case proto.Message:
		return proto.Marshal(m)
	}
	return nil, fmt.Errorf("policy proxy: cannot encode %T", v)
}

func (passThroughCodec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case *frame:
		// grpc may reuse data's buffer once Unmarshal returns.
		*m = append(frame(nil), data...)
		return nil
	case proto.Message:
		return proto.Unmarshal(data, m)
	}
	return fmt.Errorf("policy proxy: cannot decode into %T", v)
}

// Name is "proto": the content type stays application/grpc+proto, what both ends expect.
func (passThroughCodec) Name() string { return "proto" }
