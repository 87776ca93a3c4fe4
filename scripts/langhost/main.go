// pulumi-language-python: a minimal Pulumi language host for Python programs.
//
// Why this exists: the official host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) that has no tags, and the
// module proxy reachable here refuses it (403 for list, @latest, commit and pseudo-version
// queries, measured 2026-11-25). The pieces that do the real work ship in sdk/v3, which the proxy
// serves: pulumi-language-python-exec (parses the engine's flags, configures the SDK, runs the
// program) and pulumi-resource-pulumi-python (the dynamic-provider shim). This host only answers
// the engine's LanguageRuntime RPCs and launches the exec script with the venv's interpreter.
//
// It is built by scripts/bootstrap.sh against sdk/v3 at the CLI's version and installed next to
// `pulumi` only when the official host cannot be had. Dependency installation, plugin discovery
// and code generation are out of scope: the project's venv is made by the bootstrap, and a Python
// dynamic provider needs no plugin beyond the bundled pulumi-python shim. Of the plugins a
// language host may run (RunPlugin), it runs policy packs only (`pulumi preview --policy-pack`).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped with -ldflags at build time.
var version = "dev"

// The exec script exits with 32 when the program failed and already reported its error.
const bailExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	root          string
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version, "v")}, nil
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetRootDirectory() != "" {
		h.root = req.GetRootDirectory()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return &pulumirpc.AboutResponse{Executable: pythonFor(h.root, nil), Version: "", Metadata: map[string]string{}}, nil
}

func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// InstallDependencies is a no-op: scripts/bootstrap.sh owns the virtualenv.
func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	return nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	root := h.root
	if info != nil && info.GetRootDirectory() != "" {
		root = info.GetRootDirectory()
	}
	program := req.GetProgram()
	if info != nil && info.GetProgramDirectory() != "" {
		program = filepath.Join(info.GetProgramDirectory(), info.GetEntryPoint())
	}
	var options map[string]any
	if info != nil && info.GetOptions() != nil {
		options = info.GetOptions().AsMap()
	}

	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	execScript := filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	args := []string{"-u", execScript,
		"--project", req.GetProject(),
		"--root_directory", root,
		"--stack", req.GetStack(),
		"--parallel", strconv.Itoa(int(req.GetParallel())),
		"--dry_run", strconv.FormatBool(req.GetDryRun()),
		"--pwd", req.GetPwd(),
		"--monitor", req.GetMonitorAddress(),
		"--engine", h.engineAddress,
	}
	if req.GetOrganization() != "" {
		args = append(args, "--organization", req.GetOrganization())
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	config, secretKeys, err := configEnv(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, pythonFor(root, options), args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+config, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)
	if venv := virtualenv(root, options); venv != "" {
		cmd.Env = append(cmd.Env, "VIRTUAL_ENV="+venv, "PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	}

	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// analyzerKind is apitype.AnalyzerPlugin: the engine's RunPlugin kind for a policy pack.
const analyzerKind = "analyzer"

// RunPlugin starts a policy pack the way the official host does. For `--policy-pack DIR` the engine
// reads DIR/PulumiPolicy.yaml and calls RunPlugin with kind "analyzer" on the host of its runtime
// (pkg/resource/plugin ExecPlugin, v3.274.1), then reads the pack's port from our stdout stream.
// The official host (sdk/python/cmd/pulumi-language-python RunPlugin, read at v3.259; no later
// copy is reachable here) runs `python -u -m pulumi.policy <engine args> <pack dir>` in the pack's
// directory, with the interpreter of the pack's own virtualenv (PulumiPolicy.yaml
// runtime.options.virtualenv, relative to the pack) when it names one; so does this one. The
// engine stops the pack by cancelling the call, which kills the process (CommandContext).
//
// pulumi-policy for Python reads the stack's config, project and stack names from PULUMI_CONFIG,
// PULUMI_PROJECT, PULUMI_STACK and PULUMI_DRY_RUN, but the engine sends them over gRPC
// (Analyzer.ConfigureStack) only after the plugin is up. sdk.PolicyProxy bridges the two, as in the
// official host: it answers the engine first, hands us that request, and then forwards every
// call to the real pack once the pack prints its port. Without it a policy could not see the
// stack's `portal-infra:mode`.
//
// Other kinds (Python resource or component providers) are refused: they need plugin builds and
// dependency installs this host leaves out.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetKind() != analyzerKind {
		return status.Errorf(codes.Unimplemented, "this minimal Python language host (scripts/langhost) runs "+
			"policy packs only, not %q plugins; install the official pulumi-language-python to run them", req.GetKind())
	}
	ctx := server.Context()
	info := req.GetInfo()
	if info == nil || info.GetProgramDirectory() == "" {
		return status.Error(codes.InvalidArgument, "RunPlugin: no policy pack directory")
	}
	packDir := info.GetProgramDirectory()
	root := info.GetRootDirectory()
	if root == "" {
		root = packDir
	}
	var options map[string]any
	if info.GetOptions() != nil {
		options = info.GetOptions().AsMap()
	}
	// As the official pip toolchain: the pack's own virtualenv wins over PULUMI_PYTHON_CMD.
	python := pythonFor(root, nil)
	venv := virtualenv(root, options)
	if venv != "" {
		python = filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(python); err != nil {
			return fmt.Errorf("the policy pack's virtualenv %s (runtime.options.virtualenv in %s) has no "+
				"bin/python: create it and install the pack's requirements (here: scripts/bootstrap.sh policy)",
				venv, filepath.Join(packDir, "PulumiPolicy.yaml"))
		}
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start the policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get the stack configuration for the policy pack: %w", err)
	}

	args := append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
	args = append(args, packDir)
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = packDir // policy packs have always run in their own directory
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	if venv != "" {
		cmd.Env = append(cmd.Env, "VIRTUAL_ENV="+venv, "PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	if stack != nil { // nil when the engine asked for the pack's info before configuring it
		env, err := stackEnv(stack)
		if err != nil {
			return err
		}
		cmd.Env = append(cmd.Env, env...)
	}

	if err := cmd.Start(); err != nil {
		proxy.Abort(err)
		return fmt.Errorf("could not start the policy pack with %s: %w", python, err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exit.ExitCode())},
			})
		}
		return fmt.Errorf("policy pack %s: %w", packDir, err)
	}
	return closer.Close()
}

// stackEnv is what pulumi-policy reads at each Analyze call to configure the Python SDK, so that a
// policy's `pulumi.Config()` sees the stack's config (the same variables the official host sets).
func stackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_PROJECT", stack.GetProject())
	add("PULUMI_STACK", stack.GetStack())
	add("PULUMI_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.GetConfig() != nil {
		config, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not encode the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(config))
	}
	return env, nil
}

// configEnv renders the stack config and its secret keys as the exec script reads them. A stack
// with no config arrives as a nil map, which json.Marshal writes as `null`; the SDK's
// set_all_config then fails before the program runs, so nil is written as an empty object (and
// nil secret keys as an empty list), as the official host does.
func configEnv(req *pulumirpc.RunRequest) (string, string, error) {
	values := req.GetConfig()
	if values == nil {
		values = map[string]string{}
	}
	secrets := req.GetConfigSecretKeys()
	if secrets == nil {
		secrets = []string{}
	}
	config, err := json.Marshal(values)
	if err != nil {
		return "", "", err
	}
	secretKeys, err := json.Marshal(secrets)
	if err != nil {
		return "", "", err
	}
	return string(config), string(secretKeys), nil
}

// virtualenv resolves the project's `runtime.options.virtualenv`, relative to the project root.
func virtualenv(root string, options map[string]any) string {
	venv, _ := options["virtualenv"].(string)
	if venv == "" {
		return ""
	}
	if !filepath.IsAbs(venv) {
		venv = filepath.Join(root, venv)
	}
	return venv
}

// pythonFor picks the interpreter: PULUMI_PYTHON_CMD wins (as with the official host), then the
// project's virtualenv, then python3 on PATH.
func pythonFor(root string, options map[string]any) string {
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		return cmd
	}
	if venv := virtualenv(root, options); venv != "" {
		return filepath.Join(venv, "bin", "python")
	}
	return "python3"
}

func main() {
	// The engine calls us as `pulumi-language-python [-flag=value ...] <engine address>`; flags we
	// do not use (tracing, root, ...) are accepted and ignored so newer engines keep working.
	h := &host{}
	for _, arg := range os.Args[1:] {
		switch {
		case strings.HasPrefix(arg, "-root="):
			h.root = strings.TrimPrefix(arg, "-root=")
		case strings.HasPrefix(arg, "-"):
		default:
			h.engineAddress = arg
		}
	}
	if h.engineAddress == "" {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-python [flags] <engine address>")
		os.Exit(2)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	pulumirpc.RegisterLanguageRuntimeServer(srv, h)
	// The engine closes a plugin with SIGINT and kills it only 5 s later. A process started from a
	// non-interactive shell's background job (`cmd &`, nohup, many CI runners) inherits SIGINT as
	// ignored, and Go keeps it ignored unless asked: every `pulumi up` and `preview` then waited 5 s
	// for this host to go after its About call (measured: preview of one resource 6.1 s against
	// 1.2 s). Handling the signal makes it stop at once wherever it was started.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		srv.Stop()
	}()
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", lis.Addr().(*net.TCPAddr).Port)
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
