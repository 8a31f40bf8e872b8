package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/pkg/sftp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"twister2-cluster/lab/providers/internal/standin"
)

// copyToRemote is command:remote:CopyToRemote for a file asset: copied with SFTP as the connection's
// user; a new hash or remotePath copies again; delete leaves the remote file (as the official does).
type copyToRemote struct{}

func (copyToRemote) Check(news resource.PropertyMap) (resource.PropertyMap, []standin.Failure) {
	checked := standin.Copy(news)
	failures := standin.Unknown(checked, "", "connection", "source", "remotePath", "triggers")
	failures = append(failures, checkConnection(checked)...)
	if src, ok := checked["source"]; !ok {
		failures = append(failures, standin.Failure{Property: "source", Reason: "missing required property source"})
	} else if src = standin.Plain(src); src.IsArchive() || (src.IsAsset() && !src.AssetValue().IsPath()) {
		failures = append(failures, standin.Failure{Property: "source", Reason: "this stand-in implements only path-based file assets"})
	}
	if _, ok := checked["remotePath"]; !ok {
		failures = append(failures, standin.Failure{Property: "remotePath", Reason: "missing required property remotePath"})
	}
	return checked, failures
}

func (copyToRemote) Replaces(key resource.PropertyKey) bool { return key == "triggers" }

func (copyToRemote) Create(c *standin.Call, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	if preview {
		return "", inputs, nil
	}
	if err := copyFile(c, inputs); err != nil {
		return "", nil, err
	}
	id, err := resource.NewUniqueHex("", 8, 0)
	return id, inputs, err
}

func (copyToRemote) Read(_ *standin.Call, id string, state, inputs resource.PropertyMap) (string, resource.PropertyMap, resource.PropertyMap, error) {
	return id, state, inputs, nil
}

func (copyToRemote) Update(c *standin.Call, _ string, olds, news resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	if preview {
		return news, nil
	}
	if !olds["source"].DeepEquals(news["source"]) || !olds["remotePath"].DeepEquals(news["remotePath"]) {
		if err := copyFile(c, news); err != nil {
			return nil, err
		}
	}
	return news, nil
}

func (copyToRemote) Delete(*standin.Call, string, resource.PropertyMap) error { return nil }

func copyFile(c *standin.Call, inputs resource.PropertyMap) error {
	source := standin.Plain(inputs["source"]).AssetValue().Path
	dest, _ := standin.String(inputs, "remotePath")
	client, err := connectionOf(inputs).dial(c)
	if err != nil {
		return err
	}
	defer client.Close()
	sftpClient, err := sftp.NewClient(client)
	if err != nil {
		return err
	}
	defer sftpClient.Close()
	// A remotePath that is a directory receives the file under its own name.
	if info, err := sftpClient.Stat(dest); err == nil && info.IsDir() {
		dest = path.Join(dest, filepath.Base(source))
	}
	local, err := os.Open(source)
	if err != nil {
		return err
	}
	defer local.Close()
	remote, err := sftpClient.Create(dest)
	if err != nil {
		return fmt.Errorf("failed to create remote file %s: %w", dest, err)
	}
	defer remote.Close()
	_, err = io.Copy(remote, local)
	return err
}
