"""HTML pages of the review cycle, one module per sub-domain: reviews (workspace, editor,
read view; the editor page is built in review_editor), evidence, feedback, check-ins and
cycles."""
