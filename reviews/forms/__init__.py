"""Plain forms for the review pages, one module per sub-domain. They only check shape
(lengths, dates, choices) and turn a POST into the arguments the services take; the
rules live in reviews.services."""
