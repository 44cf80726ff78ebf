"""A program that breaks rules of several areas, for the command-line test of `python -m ops plan`."""

import pulumi
import pulumi_aws as aws
import pulumi_github as github

aws.s3.Bucket("bare", bucket="bare")
aws.iam.Policy(
    "admin", policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
)
github.ActionsSecret(
    "secret", repository="app", secret_name="FUNCTION_ID", plaintext_value=pulumi.Output.secret("fn-123")
)
github.RepositoryFile(
    "ci",
    repository="app",
    file=".github/workflows/ci.yml",
    content="on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
)
