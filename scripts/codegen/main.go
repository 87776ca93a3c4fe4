// pulumi-language-{nodejs,go,python} for code generation only: the LanguageRuntime's GeneratePackage,
// so that `pulumi package gen-sdk --language nodejs|go|python` works here.
//
// Why this exists: the official Node.js and Go language hosts live in their own Go modules
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 and
// github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3) that have no tags, and the module proxy
// reachable here refuses both: "403 Forbidden ... This module version is not available" for the
// version list, @master and commit queries (measured 2026-12-01, as for the Python host on
// 2026-11-25). The code generators themselves ship in pkg/v3, which the proxy serves, and the
// official hosts' GeneratePackage is only: bind the schema against the engine's loader, call
// pkg/v3/codegen/<language>.GeneratePackage, write the files. This program does exactly that and
// nothing else: it cannot run programs, install dependencies or link packages.
//
// One binary, three names: the language comes from the name it is started as. scripts/bootstrap.sh
// (step `codegen`) builds it against pkg/v3 at the CLI's version into its own directory of the tool
// cache, never next to `pulumi`, so it is on PATH only for a gen-sdk call (`make sdks` does that):
// placed first on PATH for good it would shadow the Python host that runs the project's stacks.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped with -ldflags at build time (the CLI's version, whose pkg/v3 generates the code).
var version = "dev"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version, "v")}, nil
}

func (h *host) Handshake(context.Context, *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GeneratePackage follows the official hosts' implementation: bind with dangling references allowed
// (the engine's loader resolves references to other packages), return binding errors as diagnostics,
// generate, then write every file under the requested directory.
func (h *host) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer func() { _ = loader.Close() }()

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
	}

	tool := "pulumi-language-" + h.language
	var files map[string][]byte
	switch h.language {
	case "nodejs":
		files, err = nodejsgen.GeneratePackage(tool, pkg, req.GetExtraFiles(), req.GetLocalDependencies(),
			req.GetLocal(), loader)
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, req.GetLocalDependencies())
		for name, data := range req.GetExtraFiles() {
			files[name] = data
		}
	case "python":
		files, err = pythongen.GeneratePackage(tool, pkg, req.GetExtraFiles(), loader)
	default:
		err = fmt.Errorf("no code generator for language %q", h.language)
	}
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}

func main() {
	name := filepath.Base(os.Args[0])
	language := strings.TrimPrefix(name, "pulumi-language-")
	if language == name {
		fmt.Fprintln(os.Stderr, "start this program as pulumi-language-nodejs, pulumi-language-go or pulumi-language-python")
		os.Exit(2)
	}
	// The engine calls a language host as `pulumi-language-<lang> [-flag=value ...] <engine address>`;
	// code generation needs neither the flags nor the engine, so all arguments are ignored.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	pulumirpc.RegisterLanguageRuntimeServer(srv, &host{language: language})
	// Stop at once on the engine's SIGINT, also where it was inherited as ignored (see scripts/langhost).
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
