"""What leaves the machine: the report pages, the e-mail, the PDF, the delivery log, the monthly run."""
