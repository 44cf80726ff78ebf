//go:build tools

// Package engine only pins the CLI's module; build.sh builds its main package.
package engine

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
