package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// git runs a git command in dir and returns its trimmed standard output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// resolve turns a revision into its commit.
func resolve(root, rev string) (string, error) {
	sha, err := git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil || sha == "" {
		return "", fmt.Errorf("%q is not a commit in this repository (fetch it first, e.g. git fetch origin main)", rev)
	}
	return sha, nil
}

// dirty reports uncommitted changes to tracked files (untracked files are not built unless a
// package imports them, and go build then fails loudly).
func dirty(root string) (bool, error) {
	out, err := git(root, "status", "--porcelain", "--untracked-files=no")
	return out != "", err
}

// source is a tree programs are built from: the working tree, or a temporary worktree of a
// commit that remove deletes again.
type source struct {
	dir    string
	remove func() error
}

// checkout adds a detached worktree of sha in a new temporary directory.
func checkout(root, sha, label string) (source, error) {
	dir, err := os.MkdirTemp("", "perfcompare-"+label+"-")
	if err != nil {
		return source{}, err
	}
	if _, err := git(root, "worktree", "add", "--detach", "--quiet", dir, sha); err != nil {
		os.RemoveAll(dir)
		return source{}, err
	}
	return source{dir: dir, remove: func() error {
		_, err := git(root, "worktree", "remove", "--force", dir)
		os.RemoveAll(dir)
		return err
	}}, nil
}
