// Easy-to-type passphrase suggestions for a kid's first password: four short,
// common, lower-case English words and one digit, e.g. "otter-maple-cloud-river7".
// Pure apart from crypto.randomInt (a CSPRNG, uniform, no modulo bias).
// Strength: 4 words from 703 (about 9.46 bits each) plus a digit (3.32 bits)
// is about 41 bits; test/unit/passphrase.test.ts checks the list keeps it >= 40.
import { randomInt } from 'node:crypto';

const WORD_TEXT =
  'able acorn acrobat album alpha amber anchor ant ape apple apricot arrow artist atlas attic ' +
  'author axe azure badge bag bagel bake baker bakery ball balloon banana banker barn basin basket ' +
  'bat bay beach bean bear bee beige bell belt bench berry beta bike bird black blanket bloom blue ' +
  'boar boat bold bolt book boot bottle bounce bowl box branch brave bravo bread breeze brick ' +
  'bridge bright brisk bronze brook brown brush bucket bug build bull bumpy bun bush butter button ' +
  'cabin cable cake calf calm camel camera camp canal candle candy canoe canyon cap captain card ' +
  'carnival carpet carrot carry castle cat catch cave celery chain chair chalk charlie chase cheer ' +
  'cheery cheese chef cherry chick chili chop circus city clam clap clever cliff climb clock cloud ' +
  'clown coach coat cocoa cod coin colt comb comet cook cookie coral corn cottage count court cow ' +
  'cowboy cozy crab crane crawl cream creek crisp crow cub cup curly curry cute cyan dance daring ' +
  'date deer delta dentist desert desk dew dice dig dive dizzy dock doctor dog donut door dove draw ' +
  'dream drift drink drive driver drum duck dune dust eager eagle early earth easy eat echo eel egg ' +
  'elk emu ewe explore fan fancy farm farmer fast fawn fence fern fetch field fig finch fish flag ' +
  'flame flea float flour flower fluffy flute fly foal fog fold forest fork fort fox foxtrot frame ' +
  'fresh friendly frog frost fudge funny fuzzy gallop gamma garden garlic gate gecko gentle giant ' +
  'giggle glacier glad glide glossy glove gnu goat gold golden golf goose grand grape grass gravy ' +
  'gray green grove grow gull hammer happy harbor hare hasty hat hawk helmet hen heron hike hill ' +
  'honey hook hop horn horse hotel hound hug hum ibis ice igloo indigo island ivory jade jam jar ' +
  'jay jelly jog jolly juggle juice juliet jump jungle kettle key khaki kick kilo kind king kitchen ' +
  'kite kitten kiwi knight knit koala ladder lake lamb lamp lantern lark laugh lava leaf leap lemon ' +
  'library lilac lime lion listen lively llama lock loud lucid lucky lynx magenta magnet mango map ' +
  'maple marble march market mask meadow melon merry mighty milk mint mirror misty mitten mix ' +
  'modern mole moon moose moss moth mountain mouse mud muffin mug mule museum nail nap navy neat ' +
  'needle net newt nimble noble noodle november nut oak oat ocean ochre odd olive onion orange ' +
  'orbit oscar oven owl paddle paint palace palm pan panda paper park parrot pasta pea peach peanut ' +
  'pear pebble pen pencil pepper petal piano pick pickle pie pig pillow pilot pine pink pipe pirate ' +
  'pizza plain planet plant plate play playful plaza plum pocket poet polite pond pony popcorn port ' +
  'pot potato pour pretzel proud pudding pug puma pumpkin purple puzzle quail quebec queen quick ' +
  'quiet rabbit race radio radish rain rainbow raisin rake ram ranch ranger rapid rat raven read ' +
  'red reef relax ribbon rice ride ring river roam robin robot rock rocket roll romeo rope rose ' +
  'rosy round row royal ruby ruler run rust rusty sack saddle sail sailor salad salt sand sauce ' +
  'scarf school scout sea seal seed shade shark sheep shell shiny shop shore shovel shrimp sierra ' +
  'silly silver simple sing singer skate ski skip skunk sky sled sleep sleepy slide slim sloth slug ' +
  'smart smile smooth snail snake snappy sneeze snore snow snowy sock sofa soft soil soup sparkly ' +
  'sparrow speedy spicy spin spinach splash spoon spring sprint squid stack stadium stamp star ' +
  'station steady steer sticky stir stone stool stork storm stormy stream street strong sturdy ' +
  'sugar sun sunny super surf swamp swan sweet swift swim swing sword syrup table taco tailor tall ' +
  'tame tan tango tea teacher teal temple tent thorn throw thunder ticket tickle tide tidy tiger ' +
  'tiny tire toad toast tomato tool torch tough towel tower town toy travel tray tree tricky trout ' +
  'truck trumpet tuba tulip tuna tunnel turkey twirl umbrella uniform valley vase victor viking ' +
  'village vine violet vivid volcano waffle wagon wallet wander warm wasp watch wave wavy weed ' +
  'whale wheel whisper whistle white wiggle wild willow wind window windy wink wise witty wizard ' +
  'wolf wood worm write writer xray yak yankee yard yawn yellow yogurt yoyo zany zebra zesty zipper ' +
  'zoo zoom zulu ';

/** The word list: distinct, [a-z]{3,8}. */
export const WORDS: readonly string[] = Object.freeze(WORD_TEXT.trim().split(/\s+/));

export const PASSPHRASE_WORDS = 4;
export const PASSPHRASE_SEPARATOR = '-';

/** Bits of entropy of a suggestion, from the list size (the attacker knows the scheme). */
export function passphraseEntropyBits(words = PASSPHRASE_WORDS, listSize = WORDS.length): number {
  return words * Math.log2(listSize) + Math.log2(10);
}

/** A new suggestion, e.g. "otter-maple-cloud-river7". */
export function suggestPassphrase(random: (max: number) => number = randomInt): string {
  const words: string[] = [];
  for (let i = 0; i < PASSPHRASE_WORDS; i++) words.push(WORDS[random(WORDS.length)]!);
  return words.join(PASSPHRASE_SEPARATOR) + String(random(10));
}
