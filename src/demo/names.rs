//! Chinese personal names for the demo data: surnames weighted by how common they are (with
//! some surnames frequent in Yunnan), given names of one or two characters that follow the
//! person's sex and generation.

use rand::Rng;

use super::draw::{Weighted, chance, one_of};

/// Surnames with weights in tenths of a percent, roughly as common as in the population.
static SURNAMES: Weighted<&str> = Weighted::new(&[
    ("李", 79),
    ("王", 74),
    ("张", 71),
    ("刘", 54),
    ("陈", 45),
    ("杨", 38),
    ("赵", 23),
    ("黄", 22),
    ("周", 17),
    ("吴", 16),
    ("徐", 13),
    ("孙", 12),
    ("马", 12),
    ("朱", 11),
    ("胡", 11),
    ("郭", 10),
    ("何", 10),
    ("罗", 10),
    ("高", 10),
    ("林", 9),
    ("梁", 8),
    ("宋", 7),
    ("郑", 7),
    ("谢", 6),
    ("韩", 6),
    ("唐", 6),
    ("冯", 6),
    ("于", 5),
    ("董", 5),
    ("曹", 5),
    ("袁", 5),
    ("邓", 5),
    ("许", 5),
    ("沈", 5),
    ("曾", 4),
    ("彭", 4),
    ("吕", 4),
    ("苏", 4),
    ("卢", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("普", 4),
    ("鲁", 3),
    ("贾", 3),
    ("丁", 3),
    ("魏", 3),
    ("叶", 3),
    ("余", 3),
    ("潘", 3),
    ("杜", 3),
    ("夏", 2),
    ("钟", 2),
    ("汪", 2),
    ("田", 2),
    ("任", 2),
    ("姜", 2),
    ("范", 2),
    ("方", 2),
    ("石", 2),
    ("姚", 2),
    ("谭", 2),
    ("廖", 2),
    ("熊", 2),
    ("金", 2),
    ("白", 2),
    ("段", 2),
    ("施", 2),
    ("字", 1),
    ("起", 1),
    ("毕", 1),
    ("自", 1),
]);

/// Given-name characters of men born before about 1990.
const MALE_OLD: &[char] = &[
    '国', '建', '明', '志', '文', '华', '军', '平', '强', '伟', '勇', '林', '海', '成', '德', '福',
    '贵', '生', '荣', '发', '富', '忠', '学', '永', '光', '云', '龙', '祥', '宝', '顺', '昌', '兴',
    '新', '刚', '斌', '春', '正', '有', '金', '开',
];
/// Given-name characters of women born before about 1990.
const FEMALE_OLD: &[char] = &[
    '秀', '英', '兰', '芳', '珍', '梅', '丽', '红', '玉', '华', '琼', '凤', '霞', '燕', '桂', '萍',
    '娟', '艳', '莲', '琴', '花', '美', '云', '彩', '春', '菊', '仙', '翠', '芬', '香',
];
/// Given-name characters of boys and young men.
const MALE_NEW: &[char] = &[
    '浩', '宇', '轩', '子', '涵', '俊', '杰', '鹏', '辉', '博', '晨', '睿', '明', '磊', '涛', '豪',
    '泽', '文', '航', '天', '峰', '凯', '鑫', '家',
];
/// Given-name characters of girls and young women.
const FEMALE_NEW: &[char] = &[
    '欣', '怡', '梓', '雨', '佳', '思', '嘉', '婷', '静', '敏', '悦', '琪', '涵', '雪', '丹', '颖',
    '玲', '倩', '瑶', '萱', '诗', '梦', '晓', '月',
];

/// A surname, weighted by frequency.
pub(crate) fn surname<R: Rng>(rng: &mut R) -> &'static str {
    SURNAMES.pick(rng)
}

/// Appends a given name of one character (one in four) or two different characters, in the
/// fashion of the birth year.
fn push_given_name<R: Rng>(rng: &mut R, out: &mut String, male: bool, birth_year: i32) {
    let chars = match (male, birth_year >= 1990) {
        (true, false) => MALE_OLD,
        (false, false) => FEMALE_OLD,
        (true, true) => MALE_NEW,
        (false, true) => FEMALE_NEW,
    };
    let first = *one_of(rng, chars);
    out.push(first);
    if chance(rng, 250) {
        return;
    }
    let mut second = *one_of(rng, chars);
    if second == first {
        second = *one_of(rng, chars);
    }
    if second != first {
        out.push(second);
    }
}

/// A full name with the given surname.
pub(crate) fn full_name<R: Rng>(rng: &mut R, surname: &str, male: bool, birth_year: i32) -> String {
    let mut name = String::with_capacity(surname.len() + 6);
    name.push_str(surname);
    push_given_name(rng, &mut name, male, birth_year);
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn names_have_two_or_three_characters_and_common_surnames_lead() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut li = 0;
        let mut rare = 0;
        for i in 0..5000 {
            let s = surname(&mut rng);
            if s == "李" {
                li += 1;
            }
            if s == "字" {
                rare += 1;
            }
            let name = full_name(&mut rng, s, i % 2 == 0, 1950 + i % 60);
            let n = name.chars().count();
            assert!((2..=3).contains(&n), "{name}");
        }
        assert!(li > rare * 5, "李 {li}, 字 {rare}");
    }
}
