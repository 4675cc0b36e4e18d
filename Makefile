# The two commands of the README: `make demo` (a spoken round) and `make test` (the whole suite).
.PHONY: demo test lint unit bench

demo:
	bash scripts/bootstrap.sh demo
	.venv/bin/interviewer simulate --persona platform-lead \
		--question-ids platform-success-metrics,api-breaking-change \
		--candidate-script examples/candidate-script.txt --json-out artifacts/demo-turns.json

lint:
	.venv/bin/ruff check agent tests bench
	.venv/bin/mypy

test:
	bash scripts/bootstrap.sh test
	$(MAKE) lint
	.venv/bin/pytest -m "unit or integration or e2e or evals" -p no:cacheprovider

unit:
	.venv/bin/pytest -m unit -q

# Each benchmark also runs alone: .venv/bin/python -m bench.NAME --help
bench:
	.venv/bin/python -m bench.decision
	.venv/bin/python -m bench.answer_size
	.venv/bin/python -m bench.evals
	.venv/bin/python -m bench.speech
	.venv/bin/python -m bench.voice_latency
	.venv/bin/python -m bench.cutoffs
	.venv/bin/python -m bench.soak
