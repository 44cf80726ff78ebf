"""`python -m ops scan`: Checkov on the offline plan of a stack, converted to a Terraform plan.

Exit status: 0 when every failed check is covered by a reviewed exception, 1 when one is not, 2 when the stack
cannot be evaluated or scanned (program or settings error, Checkov missing or failing, invalid exceptions file).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .offline import Evaluation, ProgramError, evaluate
from .terraform import checkov, exceptions, plan_json, report

EXIT_OK, EXIT_UNREVIEWED, EXIT_UNSCANNABLE = 0, 1, 2
FORMATS = {"text": report.text, "json": report.as_json, "sarif": report.sarif}


def scan(stack: str, program: Path, exceptions_file: Path | None = None) -> report.ScanResult:
    """Raises ProgramError, CheckovError or ExceptionsFileError."""
    # The exceptions file is read first: a mistake in it fails in a second, not after the program ran.
    reviewed = exceptions.load(exceptions_file or Path(program).resolve() / exceptions.FILE_NAME)
    return scan_evaluation(evaluate(program, stack), reviewed)


def scan_evaluation(evaluation: Evaluation, reviewed: list[exceptions.ReviewedException]) -> report.ScanResult:
    conversion = plan_json.convert(evaluation)
    run = checkov.run(conversion)
    return report.ScanResult(
        stack=evaluation.stack,
        stack_file=f"Pulumi.{evaluation.stack}.yaml",
        checkov_version=run.version,
        findings=run.findings,
        review=exceptions.review(run.findings, reviewed),
        unmapped_types=conversion.unmapped_types,
        unmapped_properties=conversion.unmapped_properties,
    )


def run_scan(
    stack: str,
    program: Path,
    output_format: str = "text",
    output: Path | None = None,
    exceptions_file: Path | None = None,
) -> int:
    try:
        result = scan(stack, program, exceptions_file)
    except ProgramError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_UNSCANNABLE
    except (checkov.CheckovError, exceptions.ExceptionsFileError) as exc:
        print(f"ops scan: {exc}", file=sys.stderr)
        return EXIT_UNSCANNABLE
    rendered = FORMATS[output_format](result)
    if output is None:
        sys.stdout.write(rendered)
    else:
        try:
            output.write_text(rendered)
        except OSError as exc:
            print(f"ops scan: cannot write {output}: {exc.strerror}", file=sys.stderr)
            return EXIT_UNSCANNABLE
        # The report went to a file; people still see the outcome.
        sys.stdout.write(report.text(result).splitlines()[-1] + f" (report: {output})\n")
    return EXIT_UNREVIEWED if result.review.unreviewed else EXIT_OK
