#!/usr/bin/perl
# Writes the tiny MaxMind DB (GeoIP2-City layout) that geo_locator_test.cc
# reads, with Debian's libmaxmind-db-writer-perl (scripts/install-deps test).
#   usage: write_test_mmdb.pl OUT.mmdb
# The networks are documentation and well-known test ranges; the data is made
# up for the test and describes no real address.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %types = (
  city => 'map', country => 'map', registered_country => 'map',
  subdivisions => ['array', 'map'], names => 'map',
  en => 'utf8_string', de => 'utf8_string', iso_code => 'utf8_string',
  geoname_id => 'uint32',
);
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version => 6,
  record_size => 24,
  database_type => 'cdp-Test-City',
  languages => ['en'],
  description => { en => 'cdp enrichment test database' },
  map_key_type_callback => sub { $types{ $_[0] } },
  # The test uses documentation ranges, which the writer leaves out by default.
  remove_reserved_networks => 0,
);
# A full city record.
$tree->insert_network('81.2.69.0/24', {
  country => { iso_code => 'GB', names => { en => 'United Kingdom', de => 'Vereinigtes Königreich' } },
  subdivisions => [ { iso_code => 'ENG', names => { en => 'England' } } ],
  city => { geoname_id => 2643743, names => { en => 'London' } },
});
# Country only.
$tree->insert_network('2001:db8::/32', { country => { iso_code => 'DE', names => { en => 'Germany' } } });
# Only the registered country (as for some anycast and satellite ranges).
$tree->insert_network('192.0.2.0/24', { registered_country => { iso_code => 'FR' } });

open(my $out, '>:raw', $ARGV[0]) or die "cannot write $ARGV[0]: $!";
$tree->write_tree($out);
close($out) or die "cannot write $ARGV[0]: $!";
